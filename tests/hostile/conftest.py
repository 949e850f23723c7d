"""The hostile-input corpus is data: its case files are copied into a scratch project by
tests/test_hostile_corpus.py and run there. The project's own run never collects them."""

collect_ignore_glob = ["*"]
