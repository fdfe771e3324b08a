"""Who can reach the dashboard: this machine only, with Streamlit's XSRF check, uploads capped."""

import socket
import urllib.error
import urllib.request
from urllib.parse import urlparse

import pytest
from test_dashboard_browser import streamlit_server

pytestmark = pytest.mark.browser


def outward_addresses() -> list[str]:
    """This machine's addresses other than loopback, as the café's network would dial them."""
    found = set()
    try:
        for info in socket.getaddrinfo(socket.gethostname(), None, socket.AF_INET):
            found.add(info[4][0])
    except OSError:
        pass
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as probe:
        try:
            probe.connect(("192.0.2.123", 9))  # no packet is sent: this only picks the outward interface
            found.add(probe.getsockname()[0])
        except OSError:
            pass
    return sorted(a for a in found if not a.startswith("127."))


@pytest.fixture(scope="module")
def dashboard(tmp_path_factory):
    folder = tmp_path_factory.mktemp("exposure")
    with streamlit_server(folder / "streamlit.log", NEWSMAP_DB=str(folder / "empty.duckdb")) as url:
        yield url


def test_the_dashboard_answers_on_loopback_only(dashboard):
    port = urlparse(dashboard).port
    with urllib.request.urlopen(f"http://127.0.0.1:{port}/_stcore/health", timeout=5) as response:
        assert response.status == 200
    addresses = outward_addresses()
    if not addresses:
        pytest.skip("this machine has no address but loopback to try")
    for address in addresses:
        with socket.socket() as dial:
            dial.settimeout(3)
            assert dial.connect_ex((address, port)) != 0, f"the dashboard is reachable at {address}:{port}"


def test_an_upload_without_the_xsrf_token_is_refused(dashboard):
    request = urllib.request.Request(f"{dashboard}/_stcore/upload_file/some-session/some-file", method="PUT",
                                     data=b"--x\r\n", headers={"Content-Type": "multipart/form-data; boundary=x"})
    with pytest.raises(urllib.error.HTTPError) as refused:
        urllib.request.urlopen(request, timeout=5)
    assert refused.value.code == 403


def test_uploads_are_capped():
    from streamlit import config

    config.get_config_options(force_reparse=True)
    assert config.get_option("server.enableXsrfProtection") is True
    assert 0 < config.get_option("server.maxUploadSize") <= 64
    assert config.get_option("browser.gatherUsageStats") is False
