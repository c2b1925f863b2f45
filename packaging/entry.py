"""The bundled application's entry point (PyInstaller, packaging/labdesk.spec).

``LabDesk --self-test`` runs labdesk.selftest (exit 0 when the bundle works); anything
else is the ``labdesk`` command: no arguments start the window, ``LabDesk verify
report.pdf`` and every other subcommand work as after ``pip install labdesk``.
"""
import multiprocessing
import sys


def main() -> None:
    multiprocessing.freeze_support()     # harmless; needed if anything ever spawns
    if sys.argv[1:] == ["--self-test"]:
        from labdesk.selftest import run_self_test
        sys.exit(run_self_test())
    from labdesk.cli import main as cli_main
    cli_main(prog_name="labdesk")


if __name__ == "__main__":
    main()
