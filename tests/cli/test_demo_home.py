"""`labdesk demo` uses $LABDESK_HOME like --home, and never turns a real lab into a demo
(issue 16, item 18)."""
from click.testing import CliRunner

from labdesk.cli import main
from labdesk.demo import DEMO_USERS
from labdesk.lab import Lab


def test_demo_builds_in_labdesk_home_and_check_finds_it_there(tmp_path):
    home = tmp_path / "demo-home"
    runner = CliRunner(env={"LABDESK_HOME": str(home)})
    built = runner.invoke(main, ["demo", "--no-gui"])
    assert built.exit_code == 0, built.output
    assert (home / "labdesk.db").is_file()
    assert not (tmp_path / "LabDesk-demo").exists()
    checked = runner.invoke(main, ["check", "--user", "ada"],
                            env={"LABDESK_PASSWORD": DEMO_USERS["ada"][2]})
    assert checked.exit_code == 0, checked.output
    again = runner.invoke(main, ["demo", "--no-gui"])
    assert again.exit_code == 0 and f"demo lab already in {home}" in again.output


def test_demo_refuses_a_home_that_holds_a_real_lab(tmp_path, fast_passwords):
    home = tmp_path / "real"
    Lab.init(home, "Antwerp Origin Lab", "ada", "real-pass-1", "Ada Real").close()
    result = CliRunner(env={"LABDESK_HOME": str(home)}).invoke(main, ["demo", "--no-gui"])
    assert result.exit_code == 2
    assert "holds the lab 'Antwerp Origin Lab', not the demo lab" in result.output
    lab = Lab.open(home)
    try:
        assert lab.settings()["lab_name"] == "Antwerp Origin Lab"
        assert lab.counts()["stones"] == {} or sum(lab.counts()["stones"].values()) == 0
    finally:
        lab.close()
