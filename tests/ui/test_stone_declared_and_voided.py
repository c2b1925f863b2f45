"""Issue 16 on the Stone page: the earlier grading report and the client's declared
origin are shown (the origin beside the evidence, as the client's word, never evidence)
and edited with the facts (item 9); a stone of a voided submission says so, and Propose
is refused with the Lab's sentence (item 4)."""
from ui_helpers import login, password


def _received(lab, **declared):
    login(lab, "tom")
    sub = lab.receive("Declared Facts BV", [{"client_ref": "DF-1", "weight": "0.81",
                                              "identification": "natural", **declared}])
    return sub


def test_the_declared_origin_is_shown_beside_the_evidence(window, lab, tmp_path):
    sub = _received(lab, earlier_lab="GIA", earlier_report="2141438167",
                    declared_origin="BW")
    win = window("tom")
    win.open_stone(sub.stones[0].number)
    view = win.stone_view
    assert view.facts["earlier_lab"].text() == "GIA"
    assert view.facts["earlier_report"].text() == "2141438167"
    assert view.facts["declared_origin"].text() == "BW"
    assert view.declared.text() == ("Declared by the client (not evidence; the rules do "
                                    "not count it): origin Botswana (BW); earlier report "
                                    "GIA 2141438167.")
    assert not view.declared.isHidden()
    view.tabs.setCurrentIndex(0)
    view.grab().save(str(tmp_path / "facts.png"))
    view.tabs.setCurrentIndex(1)
    view.grab().save(str(tmp_path / "evidence.png"))
    view.facts["declared_origin"].setText("Botswana / Namibia")
    view.save_facts()
    assert lab.stone(sub.stones[0].number).declared_origin == "Botswana / Namibia"
    assert "origin Botswana / Namibia" in view.declared.text()


def test_a_voided_stone_says_so_and_is_not_proposed(window, lab, tmp_path):
    sub = _received(lab)
    login(lab, "sue")
    lab.void_submission(sub.number, "received twice", password=password("sue"))
    win = window("tom")
    win.open_stone(sub.stones[0].number)
    view = win.stone_view
    assert view.banner.isVisible() and view.banner.text().startswith(
        f"Voided — submission {sub.number} was voided on ")
    assert view.declared.isHidden()
    assert not view.allowed("propose").allowed
    assert "voided" in view.allowed("propose").why
    view.grab().save(str(tmp_path / "voided.png"))
