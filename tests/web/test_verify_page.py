"""The retailer's verify page, run in headless Chromium from a local server."""
import functools
import http.server
import shutil
import threading

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from labdesk.lab import Lab
from labdesk.reports import claims

CHROMIUM, DRIVER = shutil.which("chromium"), shutil.which("chromedriver")
pytestmark = pytest.mark.skipif(not (CHROMIUM and DRIVER),
                                reason="Debian's chromium and chromium-driver are needed "
                                       "(installed by .ci/run)")
PASSWORDS = {"admin": "admin-pass-1", "tech": "tech-pass-1", "sup": "super-pass-1"}


class _Quiet(http.server.SimpleHTTPRequestHandler):
    def log_message(self, *args):
        pass


@pytest.fixture(scope="module")
def published(tmp_path_factory):
    """A lab with three reports (one revoked, one superseded) and its published site."""
    root = tmp_path_factory.mktemp("site")
    lab = Lab.init(root / "lab", "Antwerp Origin Laboratory", "admin", PASSWORDS["admin"],
                   "Ada Admin", verify_url="https://verify.example.org/")
    lab.add_user("tech", "Tom Tech", "technician", PASSWORDS["tech"])
    lab.add_user("sup", "Sue Sup", "supervisor", PASSWORDS["sup"])
    lab.add_user("sup2", "Sam Sup", "supervisor", "super-pass-2")
    tokens = {}
    for name in ("valid", "revoked", "superseded"):
        lab.login("tech", PASSWORDS["tech"])
        sub = lab.receive("Client", [{"weight": "1.050", "shape": "OV", "colour": "G",
                                      "clarity": "VS2", "identification": "natural"}])
        number = sub.stones[0].number
        lab.add_evidence(number, "g7_certificate", reference=f"G7-{name}",
                         issued_on=sub.received_at[:10], origin_countries=["CA"],
                         origin_type="single", weight="1.050")
        lab.propose_finding(number, "non_russian", "CA", statement="G7 certificate")
        lab.login("sup", PASSWORDS["sup"])
        lab.approve(number)
        tokens[name] = lab.issue_report(number)
    lab.revoke_report(tokens["revoked"].number, "clerical error")
    lab.reopen(tokens["superseded"].stone, "weight re-measured")
    lab.login("tech", PASSWORDS["tech"])
    lab.update_stone(tokens["superseded"].stone, weight="1.049")
    lab.propose_finding(tokens["superseded"].stone, "non_russian", "CA", statement="again")
    lab.login("sup2", "super-pass-2")
    lab.approve(tokens["superseded"].stone)
    successor = lab.issue_report(tokens["superseded"].stone)
    site = root / "site"
    lab.publish(site)
    lab.close()
    server = http.server.ThreadingHTTPServer(
        ("127.0.0.1", 0), functools.partial(_Quiet, directory=str(site)))
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield {"url": f"http://127.0.0.1:{server.server_port}/", "site": site,
           "tokens": tokens, "successor": successor}
    server.shutdown()
    server.server_close()


@pytest.fixture(scope="module")
def browser(tmp_path_factory):
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service
    options = webdriver.ChromeOptions()
    options.binary_location = CHROMIUM
    for flag in ("--headless=new", "--no-sandbox", "--disable-gpu",
                 "--disable-background-networking", "--disable-component-update",
                 "--disable-sync", "--no-first-run", "--disable-quic",
                 f"--user-data-dir={tmp_path_factory.mktemp('chromium')}",
                 "--window-size=390,844"):
        options.add_argument(flag)
    driver = webdriver.Chrome(service=Service(executable_path=DRIVER), options=options)
    yield driver
    driver.quit()


def verdict(browser, url):
    from selenium.webdriver.support.ui import WebDriverWait
    browser.get("about:blank")
    browser.get(url)
    WebDriverWait(browser, 10).until(
        lambda d: d.find_element("tag name", "body").get_attribute("data-verdict"))
    body = browser.find_element("tag name", "body")
    return body.get_attribute("data-verdict"), body.text


def test_valid_token(browser, published):
    token = published["tokens"]["valid"].token
    status, text = verdict(browser, published["url"] + "#" + token)
    assert status == "valid"
    assert "Genuine report" in text and published["tokens"]["valid"].number in text
    assert "1.05 ct" in text and "Not of Russian origin" in text and "Oval" in text
    assert "Canada (CA)" in text   # the mining country in words (issue 16, item 10)


def test_one_altered_claim_byte_is_forged(browser, published):
    token = published["tokens"]["valid"].token
    body, sig = token[4:].split(".")
    raw = bytearray(claims.unb64url(body))
    raw[raw.index(b'"G"') + 1] = ord("D")        # colour G -> D
    altered = "LD1." + claims.b64url(bytes(raw)) + "." + sig
    status, text = verdict(browser, published["url"] + "#" + altered)
    assert status == "forged" and "Do not trust this report" in text


def test_token_signed_by_another_key(browser, published):
    claim = dict(published["tokens"]["valid"].claim)
    other = Ed25519PrivateKey.generate()
    claim["kid"] = claims.key_id(other.public_key())
    status, text = verdict(browser, published["url"] + "#" + claims.sign(other, claim))
    assert status == "unknown_key" and "not signed by this lab" in text


def test_revoked_and_superseded(browser, published):
    status, text = verdict(browser, published["url"] + "#" +
                           published["tokens"]["revoked"].token)
    assert status == "revoked" and "Report revoked" in text
    status, text = verdict(browser, published["url"] + "#" +
                           published["tokens"]["superseded"].token)
    assert status == "superseded" and published["successor"].number in text


@pytest.mark.parametrize("fragment", ["LD1.garbage", "hello", "LD1.%%%.xx",
                                      "LD1." + "A" * 5000])
def test_malformed_hash(browser, published, fragment):
    status, text = verdict(browser, published["url"] + "#" + fragment)
    assert status == "malformed" and "Do not trust" in text


def test_missing_revocation_list_says_unchecked(browser, published):
    listing = published["site"] / "revocations.txt"
    saved = listing.read_bytes()
    listing.unlink()
    try:
        status, text = verdict(browser, published["url"] + "#" +
                               published["tokens"]["revoked"].token)
    finally:
        listing.write_bytes(saved)
    assert status == "unchecked"
    assert "revocation was not checked" in text


def test_the_page_is_one_self_contained_file(published):
    html = (published["site"] / "index.html").read_text()
    assert "<script src" not in html and "http://" not in html.replace(
        'content="default-src', "") and "https://" not in html
    assert "cookie" not in html.lower()


def test_phone_screenshots(browser, published, tmp_path):
    """Renders the valid and the forged verdict at a phone's viewport (for the README)."""
    browser.set_window_size(390, 844)
    verdict(browser, published["url"] + "#" + published["tokens"]["valid"].token)
    valid = tmp_path / "phone-verify-valid.png"
    browser.save_screenshot(str(valid))
    body, sig = published["tokens"]["valid"].token[4:].split(".")
    raw = claims.unb64url(body).replace(b'"G"', b'"D"')
    status, _ = verdict(browser, published["url"] + "#LD1." + claims.b64url(raw) + "." + sig)
    assert status == "forged"
    forged = tmp_path / "phone-verify-forged.png"
    browser.save_screenshot(str(forged))
    assert valid.stat().st_size > 10_000 and forged.stat().st_size > 10_000
    assert valid.read_bytes() != forged.read_bytes()
    import os
    target = os.environ.get("LABDESK_SCREENSHOTS")  # set to refresh docs/screenshots
    if target:
        shutil.copy(valid, target)
        shutil.copy(forged, target)
