"""EMG / nerve conduction coding and claim edits (CONTRACT §2 CPT table, §3; CPT 2026; CMS
NCCI PTP edits and Policy Manual ch. I; seed "NCCI Bundling Considerations").

Rules on a claim (one date of service):
* NCCI_PTP — a needle EMG without NCS (95860-95864, v2 also 95867-95870) with an NCS code
  (95907-95913) → NCCI_PTP(EMG, NCS), one edit per pair; modifiers 59, XE, XP, XS, XU do
  not bypass it (CPT reports EMG done with NCS by the add-ons 95885-95887; CONTRACT §3 v2);
* ADDON_WITHOUT_PRIMARY — 95885, 95886, 95887 without any 95907-95913 → one per add-on;
* UNITS_EXCEEDED — 95885 + 95886 units together over 4 → one edit naming those reported;
* MODIFIER_25_REQUIRED — an E/M code (99202-99205, 99211-99215) without modifier 25 with
  any EMG/NCS code (95860-95864, 95867-95870, 95885-95887, 95907-95913) → the E/M code.
Coding from documentation (CONTRACT §2 table) is stated by the tables below; coding never
produces an edit. v2: all entries of one procedure type are one session — needle-EMG
extremities add up (at most 4) to one standalone code, or with NCS to add-on units per code
(at most 4 together, in documented order); NCS studies add up to one code; non-extremity
entries are coded each on its own. CPT codes are not in any package: the tables are the contract's.
95862 is not a CPT code: the 95860-95864 range holds 95860, 95861, 95863, 95864.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from pytest_icdcheck.generate.model import CaseFile, case, edit, encounter, patient

FAMILY = "ncci"
SOURCE_PTP = "CMS NCCI PTP (95860-95864 with 95907-95913); seed NCCI Bundling Considerations"
SOURCE_PTP_V2 = (
    "CONTRACT §3 NCCI_PTP (v2: 95867-95870 with 95907-95913; modifiers 59/XE/XP/XS/XU do not "
    "bypass the pair); CMS NCCI PTP"
)
SOURCE_SESSION = "CONTRACT §2 procedure table (v2: the entries of one type are one session); CPT"
BYPASS_MODIFIERS = ("59", "XE", "XP", "XS", "XU")
SOURCE_ADDON = "CPT 95885-95887 add-on codes (reported with 95907-95913)"
SOURCE_UNITS = "CPT 95885/95886 per extremity; CONTRACT §3 UNITS_EXCEEDED (4 at most)"
SOURCE_MOD25 = "NCCI Policy Manual ch. I (E/M with a procedure: modifier 25); seed NCCI section"
SOURCE_CPT = "CONTRACT §2 (how documented procedures are coded); CPT 2026"

# ---------------------------------------------------------------- the contract's tables
EMG_WITHOUT_NCS = {1: "95860", 2: "95861", 3: "95863", 4: "95864"}  # by extremities
ADDON_LIMITED, ADDON_COMPLETE, ADDON_NON_EXTREMITY = "95885", "95886", "95887"
COMPLETE_FROM_MUSCLES = 5  # 95886 at 5 or more muscles per extremity, else 95885
NON_EXTREMITY_WITHOUT_NCS = {
    ("cranial", False): "95867",
    ("cranial", True): "95868",
    ("thoracic-paraspinal", False): "95869",
    ("other-axial", False): "95870",
}
NCS = (  # (fewest studies, most studies or None, code)
    (1, 2, "95907"),
    (3, 4, "95908"),
    (5, 6, "95909"),
    (7, 8, "95910"),
    (9, 10, "95911"),
    (11, 12, "95912"),
    (13, None, "95913"),
)
MDM = ("straightforward", "low", "moderate", "high")
OFFICE_VISIT = {
    ("new", "straightforward"): "99202",
    ("new", "low"): "99203",
    ("new", "moderate"): "99204",
    ("new", "high"): "99205",
    ("established", "straightforward"): "99212",
    ("established", "low"): "99213",
    ("established", "moderate"): "99214",
    ("established", "high"): "99215",
}
EM_CODES = ("99202", "99203", "99204", "99205", "99211", "99212", "99213", "99214", "99215")
NCS_CODES = tuple(code for _, _, code in NCS)
ADDONS = (ADDON_LIMITED, ADDON_COMPLETE, ADDON_NON_EXTREMITY)
UNIT_CODES = (ADDON_LIMITED, ADDON_COMPLETE)
MAX_EXTREMITY_UNITS = 4
PTP_COLUMN_ONE = (*EMG_WITHOUT_NCS.values(), *dict.fromkeys(NON_EXTREMITY_WITHOUT_NCS.values()))
EMG_NCS_CODES = (
    *EMG_WITHOUT_NCS.values(),
    *dict.fromkeys(NON_EXTREMITY_WITHOUT_NCS.values()),
    *ADDONS,
    *NCS_CODES,
)

Service = dict[str, Any]


def ncs_code(studies: int) -> str:
    for low, high, code in NCS:
        if studies >= low and (high is None or studies <= high):
            return code
    raise ValueError(studies)


def service(code: str, units: int = 1, modifiers: Iterable[str] = ()) -> Service:
    s: Service = {"code": code}
    if modifiers:
        s["modifiers"] = list(modifiers)
    if units != 1:
        s["units"] = units
    return s


def service_edits(services: list[Service]) -> list[dict[str, Any]]:
    """The four claim rules above, for one claim's services."""
    codes = list(dict.fromkeys(s["code"] for s in services))
    emg = [c for c in codes if c in PTP_COLUMN_ONE]  # modifiers never bypass (v2)
    ncs = [c for c in codes if c in NCS_CODES]
    found = [edit("NCCI_PTP", e, n) for e in emg for n in ncs]
    if not ncs:
        found += [edit("ADDON_WITHOUT_PRIMARY", c) for c in codes if c in ADDONS]
    units = sum(int(s.get("units", 1)) for s in services if s["code"] in UNIT_CODES)
    if units > MAX_EXTREMITY_UNITS:
        found.append(edit("UNITS_EXCEEDED", *[c for c in codes if c in UNIT_CODES]))
    if any(c in EMG_NCS_CODES for c in codes):
        found += [
            edit("MODIFIER_25_REQUIRED", s["code"])
            for s in services
            if s["code"] in EM_CODES and "25" not in s.get("modifiers", [])
        ]
    return found


def code_procedures(procedures: list[dict[str, Any]]) -> list[Service]:
    """CONTRACT §2: the services for documented procedures (outpatient), one session per
    procedure type (v2)."""
    with_ncs = any(p["type"] == "nerve-conduction" for p in procedures)
    out: list[Service] = []
    studies = sum(p["studies"] for p in procedures if p["type"] == "nerve-conduction")
    if studies:
        out.append(service(ncs_code(studies)))
    emg = [p for p in procedures if p["type"] == "needle-emg"]
    if emg and not with_ncs:
        extremities = min(sum(p["extremities"] for p in emg), MAX_EXTREMITY_UNITS)
        out.append(service(EMG_WITHOUT_NCS[extremities]))
    elif emg:
        units: dict[str, int] = {}
        left = MAX_EXTREMITY_UNITS
        for p in emg:
            complete = p["muscles_per_extremity"] >= COMPLETE_FROM_MUSCLES
            addon = ADDON_COMPLETE if complete else ADDON_LIMITED
            take = min(p["extremities"], left)
            left -= take
            if take:
                units[addon] = units.get(addon, 0) + take
        out += [service(code, n) for code, n in units.items()]
    for p in procedures:
        if p["type"] == "needle-emg-non-extremity":
            if with_ncs:
                out.append(service(ADDON_NON_EXTREMITY))
            else:
                key = (p["region"], bool(p.get("bilateral", False)) and p["region"] == "cranial")
                out.append(service(NON_EXTREMITY_WITHOUT_NCS[key]))
    emg_ncs = bool(out)
    for p in procedures:
        if p["type"] != "office-visit":
            continue
        code = OFFICE_VISIT[(p["patient_status"], p["mdm"])]
        if not emg_ncs:
            out.insert(0, service(code))
        elif p.get("separately_identifiable", True):
            out.insert(0, service(code, modifiers=["25"]))
    return out


def _claim_case(
    id: str, title: str, source: str, tags: list[str], services: list[Service]
) -> dict[str, Any]:
    return case(
        id,
        title,
        source,
        FAMILY,
        [*tags, "editing"],
        encounter(claim_dx=["R25.3"], claim_services=services, who=patient(61, "M")),
        {"edits": service_edits(services)},
    )


def _names(services: list[Service]) -> str:
    return " + ".join(
        s["code"]
        + "".join(f"-{m}" for m in s.get("modifiers", []))
        + (f" x{s['units']}" if "units" in s else "")
        for s in services
    )


def _result(services: list[Service]) -> str:
    edits = service_edits(services)
    if not edits:
        return "no edit"
    return ", ".join(f"{e['rule']}({', '.join(e['codes'])})" for e in edits)


def claims() -> list[CaseFile]:
    ptp = CaseFile(
        "ncci-ptp-addon-units",
        "generated - NCCI PTP, add-ons without a primary, unit limits",
        "Rules: 95860-95864 with 95907-95913 -> NCCI_PTP; 95885-95887 without an NCS -> "
        "ADDON_WITHOUT_PRIMARY; 95885 + 95886 over 4 units -> UNITS_EXCEEDED.",
    )
    out = ptp.cases

    def add(id: str, source: str, tags: list[str], services: list[Service]) -> None:
        title = f"Claim {_names(services)} -> {_result(services)}"
        out.append(_claim_case(id, title, source, tags, services))

    for emg in EMG_WITHOUT_NCS.values():
        add(f"gen-ncci-alone-{emg}", SOURCE_PTP, ["ncci_ptp", "not-fired"], [service(emg)])
        for ncs in NCS_CODES:
            add(f"gen-ncci-ptp-{emg}-{ncs}", SOURCE_PTP, ["ncci_ptp"], [service(emg), service(ncs)])
    for ncs in NCS_CODES:
        add(f"gen-ncci-alone-{ncs}", SOURCE_PTP, ["ncci_ptp", "not-fired"], [service(ncs)])
    for emg in dict.fromkeys(NON_EXTREMITY_WITHOUT_NCS.values()):
        add(f"gen-ncci-alone-{emg}", SOURCE_PTP_V2, ["ncci_ptp", "not-fired"], [service(emg)])
        for ncs in NCS_CODES:
            add(
                f"gen-ncci-ptp-{emg}-{ncs}",
                SOURCE_PTP_V2,
                ["ncci_ptp", "non-extremity"],
                [service(emg), service(ncs)],
            )
    for emg in PTP_COLUMN_ONE:
        for modifier in BYPASS_MODIFIERS:
            add(
                f"gen-ncci-ptp-{emg}-{modifier.lower()}-95908",
                SOURCE_PTP_V2,
                ["ncci_ptp", "modifier59"],
                [service(emg, modifiers=[modifier]), service("95908")],
            )
    for addon in ADDONS:
        add(
            f"gen-ncci-addon-alone-{addon}",
            SOURCE_ADDON,
            ["addon_without_primary"],
            [service(addon)],
        )
        for emg in EMG_WITHOUT_NCS.values():
            add(
                f"gen-ncci-addon-{addon}-with-{emg}",
                SOURCE_ADDON,
                ["addon_without_primary"],
                [service(emg), service(addon)],
            )
        for ncs in NCS_CODES:
            add(
                f"gen-ncci-addon-{addon}-with-{ncs}",
                SOURCE_ADDON,
                ["addon_without_primary", "not-fired"],
                [service(ncs), service(addon)],
            )
    for limited in range(0, 7):
        for complete in range(0, 7 - limited):
            if limited + complete == 0:
                continue
            services = [service("95908")]
            if limited:
                services.append(service(ADDON_LIMITED, limited))
            if complete:
                services.append(service(ADDON_COMPLETE, complete))
            add(
                f"gen-ncci-units-95885x{limited}-95886x{complete}",
                SOURCE_UNITS,
                ["units_exceeded"],
                services,
            )
    for first, second in ((2, 2), (2, 3), (1, 4)):
        services = [
            service("95908"),
            service(ADDON_COMPLETE, first),
            service(ADDON_COMPLETE, second),
        ]
        add(
            f"gen-ncci-units-95886-two-lines-{first}-{second}",
            SOURCE_UNITS,
            ["units_exceeded"],
            services,
        )

    mod25 = CaseFile(
        "ncci-modifier25",
        "generated - E/M with EMG/NCS: modifier 25",
        "Rule: an E/M code with any EMG/NCS code and no modifier 25 -> MODIFIER_25_REQUIRED "
        "(an add-on alone also gets ADDON_WITHOUT_PRIMARY).",
    )
    out2 = mod25.cases
    for em in EM_CODES:
        for mods in ((), ("25",)):
            suffix = "-25" if mods else ""
            services = [service(em, modifiers=mods)]
            out2.append(
                _claim_case(
                    f"gen-ncci-mod25-{em}{suffix}-alone",
                    f"Claim {_names(services)} without EMG/NCS -> no edit",
                    SOURCE_MOD25,
                    ["modifier_25_required", "not-fired"],
                    services,
                )
            )
            for proc in EMG_NCS_CODES:
                services = [service(em, modifiers=mods), service(proc)]
                out2.append(
                    _claim_case(
                        f"gen-ncci-mod25-{em}{suffix}-{proc}",
                        f"Claim {_names(services)} -> {_result(services)}",
                        SOURCE_MOD25,
                        ["modifier_25_required"] + ([] if not mods else ["not-fired"]),
                        services,
                    )
                )
    return [ptp, mod25]


def _coding_case(id: str, procedures: list[dict[str, Any]], tags: list[str]) -> dict[str, Any]:
    services = code_procedures(procedures)
    return case(
        id,
        f"Documented {_describe(procedures)} -> {_names(services) or 'no service'}",
        SOURCE_CPT,
        FAMILY,
        ["procedures", *tags, "coding"],
        encounter(
            conditions=[{"term": "fasciculations", "code": "R25.3"}],
            procedures=procedures,
            who=patient(44, "F"),
        ),
        {"services": services, "edits": []},
    )


def _describe(procedures: list[dict[str, Any]]) -> str:
    parts = []
    for p in procedures:
        if p["type"] == "office-visit":
            extra = (
                "" if p.get("separately_identifiable", True) else " (not separately identifiable)"
            )
            parts.append(f"{p['patient_status']} visit, {p['mdm']} MDM{extra}")
        elif p["type"] == "needle-emg":
            parts.append(
                f"EMG {p['extremities']} extremities x {p['muscles_per_extremity']} muscles"
            )
        elif p["type"] == "needle-emg-non-extremity":
            side = " bilateral" if p.get("bilateral") else ""
            parts.append(f"{p['region']}{side} EMG")
        else:
            parts.append(f"NCS {p['studies']} studies")
    return "; ".join(parts)


def coding() -> list[CaseFile]:
    file = CaseFile(
        "procedures-cpt",
        "generated - CPT for documented EMG / NCS / office visits",
        "Rule: the contract's documentation -> CPT table over its whole range; coding "
        "produces no edits.",
    )
    out = file.cases
    ncs_choices: list[int | None] = [None, *(low for low, _, _ in NCS)]
    for extremities in sorted(EMG_WITHOUT_NCS):
        for muscles in (COMPLETE_FROM_MUSCLES - 1, COMPLETE_FROM_MUSCLES):
            for studies in ncs_choices:
                procs: list[dict[str, Any]] = [
                    {
                        "type": "needle-emg",
                        "extremities": extremities,
                        "muscles_per_extremity": muscles,
                    }
                ]
                if studies is not None:
                    procs.append({"type": "nerve-conduction", "studies": studies})
                ncs_part = f"ncs{studies}" if studies is not None else "no-ncs"
                out.append(
                    _coding_case(f"gen-cpt-emg-{extremities}x{muscles}-{ncs_part}", procs, ["emg"])
                )
    for region, bilateral in NON_EXTREMITY_WITHOUT_NCS:
        for studies in ncs_choices:
            proc: dict[str, Any] = {"type": "needle-emg-non-extremity", "region": region}
            if region == "cranial":
                proc["bilateral"] = bilateral
            procs = [proc]
            if studies is not None:
                procs.append({"type": "nerve-conduction", "studies": studies})
            side = ("-bilateral" if bilateral else "-unilateral") if region == "cranial" else ""
            ncs_part = f"ncs{studies}" if studies is not None else "no-ncs"
            out.append(
                _coding_case(f"gen-cpt-{region}{side}-{ncs_part}", procs, ["emg", "non-extremity"])
            )
    for studies in [*range(1, 15), 20]:
        out.append(
            _coding_case(
                f"gen-cpt-ncs-{studies}",
                [{"type": "nerve-conduction", "studies": studies}],
                ["ncs"],
            )
        )
    emg = {"type": "needle-emg", "extremities": 2, "muscles_per_extremity": 5}
    ncs = {"type": "nerve-conduction", "studies": 4}
    for (status, mdm), _code in OFFICE_VISIT.items():
        visit = {"type": "office-visit", "patient_status": status, "mdm": mdm}
        not_separate = {**visit, "separately_identifiable": False}
        stem = f"gen-cpt-visit-{status}-{mdm}"
        out.append(_coding_case(f"{stem}-alone", [visit], ["office-visit"]))
        out.append(_coding_case(f"{stem}-alone-not-separate", [not_separate], ["office-visit"]))
        out.append(_coding_case(f"{stem}-emg", [visit, emg], ["office-visit", "modifier25"]))
        out.append(_coding_case(f"{stem}-emg-not-separate", [not_separate, emg], ["office-visit"]))
        out.append(
            _coding_case(f"{stem}-emg-ncs", [visit, emg, ncs], ["office-visit", "modifier25"])
        )
    # One non-extremity study with an NCS: two would be 95887 twice, and the contract does
    # not say whether that is two lines or one line of 2 units.
    visit = {"type": "office-visit", "patient_status": "new", "mdm": "high"}
    limbs = {"type": "needle-emg", "extremities": 4, "muscles_per_extremity": 8}
    tongue = {"type": "needle-emg-non-extremity", "region": "cranial", "bilateral": True}
    paraspinal = {"type": "needle-emg-non-extremity", "region": "thoracic-paraspinal"}
    ncs13 = {"type": "nerve-conduction", "studies": 13}
    out.append(
        _coding_case("gen-cpt-full-als-workup-with-ncs", [visit, limbs, tongue, ncs13], ["emg"])
    )
    out.append(
        _coding_case("gen-cpt-full-als-workup-no-ncs", [visit, limbs, tongue, paraspinal], ["emg"])
    )
    return [file]


def sessions() -> CaseFile:
    """v2: several entries of one procedure type in one encounter."""
    file = CaseFile(
        "procedures-sessions",
        "generated - CPT totals per session (v2)",
        "Rule: needle-EMG extremities add up (at most 4) to one code, or with NCS to add-on "
        "units per code (at most 4 together); NCS studies add up to one code; non-extremity "
        "entries are coded each on its own.",
    )

    def add(id: str, procedures: list[dict[str, Any]], tags: list[str]) -> None:
        built = _coding_case(id, procedures, ["session", *tags])
        built["source"] = SOURCE_SESSION
        file.cases.append(built)

    def emg(extremities: int, muscles: int) -> dict[str, Any]:
        return {"type": "needle-emg", "extremities": extremities, "muscles_per_extremity": muscles}

    for first in sorted(EMG_WITHOUT_NCS):
        for second in sorted(EMG_WITHOUT_NCS):
            add(
                f"gen-cpt-session-emg-{first}-{second}-no-ncs",
                [emg(first, 6), emg(second, 3)],
                ["emg"],
            )
            for m1 in (COMPLETE_FROM_MUSCLES - 1, COMPLETE_FROM_MUSCLES):
                for m2 in (COMPLETE_FROM_MUSCLES - 1, COMPLETE_FROM_MUSCLES):
                    add(
                        f"gen-cpt-session-emg-{first}x{m1}-{second}x{m2}-ncs3",
                        [
                            emg(first, m1),
                            emg(second, m2),
                            {"type": "nerve-conduction", "studies": 3},
                        ],
                        ["emg", "ncs", "addon"],
                    )
    for first in range(1, 14):
        for second in (1, 2, 5, 12):
            add(
                f"gen-cpt-session-ncs-{first}-{second}",
                [
                    {"type": "nerve-conduction", "studies": first},
                    {"type": "nerve-conduction", "studies": second},
                ],
                ["ncs"],
            )
    regions = list(NON_EXTREMITY_WITHOUT_NCS)
    for i, (r1, b1) in enumerate(regions):
        for r2, b2 in regions[i + 1 :]:  # two of one code: the contract leaves lines open
            entries: list[dict[str, Any]] = []
            for region, bilateral in ((r1, b1), (r2, b2)):
                entry: dict[str, Any] = {"type": "needle-emg-non-extremity", "region": region}
                if region == "cranial":
                    entry["bilateral"] = bilateral
                entries.append(entry)
            name = "-".join(f"{r}{'-bilateral' if b else ''}" for r, b in ((r1, b1), (r2, b2)))
            add(f"gen-cpt-session-non-extremity-{name}", entries, ["emg", "non-extremity"])
    return file


def generate() -> list[CaseFile]:
    return [*claims(), *coding(), sessions()]
