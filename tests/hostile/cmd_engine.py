"""A `cmd:` engine for the hostile-input corpus (CONTRACT §5, JSON Lines on stdin/stdout).

    python cmd_engine.py MODE

answers like hostile_engine.Echo, except on the case whose first documented condition
has the term `misbehave`, where MODE says what goes wrong: `hang` (never answers),
`crash` (exits with status 7, after a line on stderr), `garbage` (prints a line that is
not JSON), `error` (replies with an error), `wrong-id` (replies for another case).
MODE `exit` exits with status 3 at once, before reading anything.
"""

import json
import sys
import time

from hostile_engine import echo, triggered

MODE = sys.argv[1]


def reply(obj):
    sys.stdout.write(json.dumps(obj) + "\n")
    sys.stdout.flush()


def main():
    if MODE == "exit":
        sys.stderr.write("engine: cannot open /opt/coder/licence.key\n")
        sys.exit(3)
    for line in sys.stdin:
        request = json.loads(line)
        if request.get("op") == "describe":
            reply({"describe": {"name": "hostile-cmd", "version": "1.0"}})
            continue
        case_id, encounter = request["id"], request["encounter"]
        if triggered(encounter):
            if MODE == "hang":
                time.sleep(3600)
            if MODE == "crash":
                sys.stderr.write("engine: segmentation fault in grouper\n")
                sys.stderr.flush()
                sys.exit(7)
            if MODE == "garbage":
                print("Loading code tables... done")
                sys.stdout.flush()
                continue
            if MODE == "error":
                reply({"id": case_id, "error": "code table FY2026 not loaded"})
                continue
            if MODE == "wrong-id":
                reply({"id": "some-other-case", "result": echo(encounter)})
                continue
        reply({"id": case_id, "result": echo(encounter)})


main()
