"""One desk of the four-desk test, in its own process: receives parcels, proposes,
approves and issues, then prints what it made as JSON.  Usage:
desk_worker.py HOME INDEX PARCELS STONES"""
import json
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from labdesk import Lab  # noqa: E402
from support.homes import PASSWORDS, login_as  # noqa: E402


def main(home: str, index: int, parcels: int, per: int) -> None:
    lab = Lab.open(home)
    made = {"submissions": [], "stones": [], "reports": [], "errors": []}
    try:
        for n in range(parcels):
            login_as(lab, "tech")
            sub = lab.receive(f"Desk {index} Client", [
                {"client_ref": f"D{index}-{n}-{i}", "weight": "0.75", "shape": "round",
                 "identification": "natural"} for i in range(per)], reference=f"PO-{index}-{n}")
            made["submissions"].append(sub.number)
            made["stones"] += [s.number for s in sub.stones]
            stone = sub.stones[0].number
            lab.propose_finding(stone, "non_russian", mining_country="BW",
                                statement="desk test")
            approver = "sup1" if index % 2 else "sup2"
            login_as(lab, approver)
            lab.approve(stone, comment="desk test", password=PASSWORDS[approver])
            made["reports"].append(lab.issue_report(stone).number)
    except Exception as exc:  # noqa: BLE001 - reported to the test
        made["errors"].append(f"{type(exc).__name__}: {exc}")
    finally:
        lab.close()
    print(json.dumps(made))


if __name__ == "__main__":
    main(sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), int(sys.argv[4]))
