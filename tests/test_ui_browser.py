"""The Dagster UI in headless Chromium, after a real sample-mode materialisation.

Once per module: every unpartitioned asset is materialised (tests.test_e2e.materialize) into a persistent instance in
a temporary DAGSTER_HOME (the repo's dagster.yaml copied there), then `dagster-webserver -m assets.definitions`
serves that instance on a free local port. The tests look at what a user sees: every asset group of the definitions
on the asset graph, the plots on mart/bilateral_dashboard's latest materialisation, its checks passed. The asset graph
is screenshotted to the test's tmp_path, and to docs/img/ui_asset_graph.png when COLLAB_UPDATE_SCREENSHOTS=1.

Chromium as in tests/test_report_browser.py (tests/browser.py): without it these tests fail in CI and skip elsewhere.
"""

from __future__ import annotations

import io
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager, suppress
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING
from urllib.parse import quote

import dagster as dg
import pytest
import requests
from PIL import Image

from assets.definitions import defs
from tests.browser import launched_chromium, require_chromium
from tests.conftest import isolate

if TYPE_CHECKING:
    from playwright.sync_api import Browser, BrowserContext, Locator, Page, Route

pytestmark = [pytest.mark.browser, pytest.mark.e2e]

REPO = Path(__file__).resolve().parents[1]
DOC_SCREENSHOT = REPO / "docs" / "img" / "ui_asset_graph.png"
DASHBOARD = dg.AssetKey(["mart", "bilateral_dashboard"])
# Markdown images (pipeline.charts.markdown_image) on every materialisation of the dashboard.
PLOTS = ("plot_signals", "plot_normalised_share", "plot_share_per_million_people")
SERVER_START_S = 90  # /server_info answering and the code location loaded (about 10 s here)
TIMEOUT_MS = 30_000  # one element of the React app to appear
VIEWPORT = {"width": 1600, "height": 1000}


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def tail(path: Path, chars: int = 4000) -> str:
    text = path.read_text(encoding="utf-8", errors="replace") if path.exists() else ""
    return text[-chars:] or "(empty)"


LOCATION_STATUS = """{ workspaceOrError { __typename
  ... on PythonError { message }
  ... on Workspace { locationEntries { name loadStatus
      locationOrLoadError { __typename ... on PythonError { message stack } } } } } }"""


def _location_loaded(base_url: str) -> bool:
    """True once every code location has loaded; fails at once on a load error (the definitions do not import)."""
    answer = requests.post(f"{base_url}/graphql", json={"query": LOCATION_STATUS}, timeout=5).json()
    workspace = answer["data"]["workspaceOrError"]
    if workspace["__typename"] != "Workspace":
        pytest.fail(f"the webserver has no workspace: {workspace}")
    entries = workspace["locationEntries"]
    for entry in entries:
        loaded = entry["locationOrLoadError"]
        if loaded and loaded["__typename"] == "PythonError":
            pytest.fail(f"code location {entry['name']} failed to load in the webserver:\n{loaded['message']}")
    return bool(entries) and all(
        e["loadStatus"] == "LOADED" and e["locationOrLoadError"]["__typename"] == "RepositoryLocation" for e in entries
    )


@contextmanager
def webserver(root: Path) -> Iterator[str]:
    """`dagster-webserver -m assets.definitions` on a free local port with this process's environment, in its own
    process group (it starts a code server child); yields the base URL once the code location is loaded and
    terminates the whole group on exit."""
    port = free_port()
    base_url = f"http://127.0.0.1:{port}"
    stdout, stderr = root / "webserver.out", root / "webserver.err"
    command = [sys.executable, "-m", "dagster_webserver", "-m", "assets.definitions", "-h", "127.0.0.1"]
    with stdout.open("wb") as out, stderr.open("wb") as err:
        proc = subprocess.Popen(
            [*command, "-p", str(port)], cwd=REPO, env=dict(os.environ), stdout=out, stderr=err, start_new_session=True
        )
    try:
        deadline = time.monotonic() + SERVER_START_S
        last_error = "no answer yet"
        while True:
            if proc.poll() is not None:
                pytest.fail(
                    f"dagster-webserver exited with {proc.returncode} before serving; "
                    f"stderr:\n{tail(stderr)}\nstdout:\n{tail(stdout)}"
                )
            try:
                if requests.get(f"{base_url}/server_info", timeout=2).ok and _location_loaded(base_url):
                    break
                last_error = "code location not loaded yet"
            except (requests.RequestException, ValueError, KeyError, TypeError) as exc:
                last_error = repr(exc)
            if time.monotonic() > deadline:
                pytest.fail(
                    f"dagster-webserver on {base_url} not ready after {SERVER_START_S} s ({last_error}); "
                    f"stderr:\n{tail(stderr)}\nstdout:\n{tail(stdout)}"
                )
            time.sleep(0.5)
        yield base_url
    finally:
        _stop(proc)


def _stop(proc: subprocess.Popen) -> None:
    """SIGTERM to the server's process group, SIGKILL to whatever is left of it after 15 s."""
    with suppress(ProcessLookupError):
        os.killpg(proc.pid, signal.SIGTERM)
    with suppress(subprocess.TimeoutExpired):
        proc.wait(timeout=15)
    with suppress(ProcessLookupError):
        os.killpg(proc.pid, signal.SIGKILL)  # the code server child, or a leader that ignored SIGTERM
    proc.wait(timeout=15)


@dataclass(frozen=True)
class DagsterUi:
    base_url: str
    run_id: str
    root: Path

    def url(self, route: str) -> str:
        return self.base_url + route


@pytest.fixture(scope="module")
def dagster_ui(sample_build) -> Iterator[DagsterUi]:
    """The webserver on the session's sample build (every unpartitioned asset, materialised into a persistent
    instance). Module-scoped, so it sets that build's environment itself (the autouse `isolated_env` is per test
    and runs after it; the server keeps the environment it was started with)."""
    require_chromium()
    with pytest.MonkeyPatch.context() as mp:
        isolate(mp, sample_build.root)
        with webserver(sample_build.root) as base_url:
            yield DagsterUi(base_url, sample_build.result.run_id, sample_build.root)


@dataclass
class UiPage:
    """A page of the UI whose context aborts (and records) every request that leaves the server."""

    context: BrowserContext
    page: Page
    blocked: list[str] = field(default_factory=list)
    console_errors: list[str] = field(default_factory=list)


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    with launched_chromium() as chromium:
        yield chromium


@pytest.fixture
def ui_page(dagster_ui: DagsterUi, browser: Browser) -> Iterator[UiPage]:
    # dagster_ui first: Playwright's sync API keeps an event loop running in this thread, which in-process
    # execution would trip over when it closes its own.
    context = browser.new_context(viewport=VIEWPORT)
    ui = UiPage(context, context.new_page())

    def guard(route: Route) -> None:
        url = route.request.url
        if url.startswith((dagster_ui.base_url + "/", "data:", "blob:")) or url == dagster_ui.base_url:
            route.continue_()
        else:
            ui.blocked.append(url)
            route.abort()

    context.route("**/*", guard)
    ui.page.set_default_timeout(TIMEOUT_MS)
    ui.page.on("console", lambda msg: msg.type == "error" and ui.console_errors.append(msg.text))
    yield ui
    # Shown with a failing test's captured output.
    print(f"requests blocked (left {dagster_ui.base_url}): {ui.blocked}")
    print(f"console errors: {ui.console_errors}")
    context.close()


def missing_after(probe: Callable[[], list[str]], page: Page, timeout_ms: int = TIMEOUT_MS) -> list[str]:
    """Poll `probe` (the names not shown yet) until it returns nothing or the timeout passes; the last answer.
    The UI renders from GraphQL answers after `load`/`networkidle`, so neither event means the page is drawn."""
    deadline = time.monotonic() + timeout_ms / 1000
    while (missing := probe()) and time.monotonic() < deadline:
        page.wait_for_timeout(250)
    return missing


def shown(locator: Locator) -> bool:
    return locator.count() > 0 and locator.first.is_visible()


def colours(image: Image.Image) -> int:
    """Distinct colours in `image` (up to 65,536): a drawn chart or page has many, a blank one a handful."""
    counted = image.getcolors(maxcolors=1 << 16)
    return 1 << 16 if counted is None else len(counted)


def expected_groups() -> list[str]:
    graph = defs.resolve_asset_graph()
    return sorted({graph.get(k).group_name for k in graph.get_all_asset_keys()})


# --- the asset graph ---------------------------------------------------------------------------------------------


def test_asset_graph_lists_every_group(ui_page: UiPage, dagster_ui: DagsterUi, tmp_path: Path):
    groups = expected_groups()
    assert len(groups) >= 2, groups
    page = ui_page.page
    page.goto(dagster_ui.url("/asset-groups"))  # "Lineage": the global asset graph, one node per group
    graph_nodes = page.locator("svg foreignObject")  # the graph's nodes are HTML inside the SVG canvas

    def not_in_graph() -> list[str]:
        return [g for g in groups if not shown(graph_nodes.get_by_text(g, exact=True))]

    def not_in_sidebar() -> list[str]:
        # The sidebar's tree: one button per group (the graph's nodes are not buttons).
        return [g for g in groups if not shown(page.get_by_role("button").filter(has=page.get_by_text(g, exact=True)))]

    missing_graph = missing_after(not_in_graph, page)
    missing_sidebar = missing_after(not_in_sidebar, page)
    page.wait_for_load_state("networkidle")
    page.wait_for_timeout(1000)  # the graph zooms to fit once laid out
    shot = tmp_path / "ui_asset_graph.png"
    page.screenshot(path=str(shot), full_page=True)  # before the asserts: a failure leaves the picture behind

    on_graph = graph_nodes.evaluate_all("nodes => nodes.map(n => n.textContent.trim())")
    assert not missing_graph, (
        f"the asset graph ({page.url}) does not show group(s) {missing_graph} of the definitions {groups}; "
        f"its nodes read {on_graph}; screenshot {shot}"
    )
    assert not missing_sidebar, (
        f"the asset graph's sidebar ({page.url}) does not list group(s) {missing_sidebar} of {groups}; "
        f"screenshot {shot}"
    )

    with Image.open(shot) as image:
        assert image.format == "PNG"
        width, height = image.size
        assert width == VIEWPORT["width"] and height >= VIEWPORT["height"], image.size
        assert colours(image) > 20, f"the screenshot {shot} is (nearly) blank"
    if os.environ.get("COLLAB_UPDATE_SCREENSHOTS") == "1":
        DOC_SCREENSHOT.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(shot, DOC_SCREENSHOT)


# --- mart/bilateral_dashboard ------------------------------------------------------------------------------------


def asset_route(key: dg.AssetKey, view: str) -> str:
    return f"/assets/{'/'.join(key.path)}?view={view}"


def test_dashboard_materialisation_shows_the_plots(ui_page: UiPage, dagster_ui: DagsterUi, tmp_path: Path):
    from playwright.sync_api import expect

    page = ui_page.page
    page.goto(dagster_ui.url(asset_route(DASHBOARD, "events")))
    # The latest event is selected: it is this module's run.
    run = dagster_ui.run_id[:8]
    expect(page.get_by_text(f"Materialized in run {run}"), f"latest materialisation is not run {run}").to_be_visible(
        timeout=TIMEOUT_MS
    )
    rows = page.get_by_role("row")
    missing = missing_after(
        lambda: [p for p in PLOTS if not shown(rows.filter(has=page.get_by_text(p, exact=True)))], page
    )
    keys = rows.locator("td:first-child").all_inner_texts()
    assert not missing, f"metadata of the latest materialisation ({page.url}) has no {missing}; its keys: {keys}"

    for plot in PLOTS:
        row = rows.filter(has=page.get_by_text(plot, exact=True))
        expect(row, f"{plot}: one metadata row").to_have_count(1)
        row.get_by_text("[Show Markdown]", exact=True).click()  # Markdown metadata opens in a dialog
        dialog = page.get_by_role("dialog").filter(has_text=plot)
        expect(dialog, f"{plot}: the Markdown dialog did not open").to_be_visible(timeout=TIMEOUT_MS)
        image = dialog.locator("img")
        expect(image, f"{plot}: the Markdown shows no image").to_have_count(1, timeout=TIMEOUT_MS)
        expect(image, f"{plot}: the image is not visible").to_be_visible()
        expect(image, f"{plot}: not an embedded PNG").to_have_attribute("src", re.compile(r"^data:image/png;base64,"))
        # Decoded (a broken image has naturalWidth 0) and drawn at a readable size.
        page.wait_for_function("img => img.complete && img.naturalWidth > 0", arg=image.element_handle())
        natural = image.evaluate("img => [img.naturalWidth, img.naturalHeight]")
        box = image.bounding_box()
        assert natural[0] >= 400 and natural[1] >= 250, (plot, natural)
        assert box and box["width"] >= 300 and box["height"] >= 150, (plot, box)
        assert image.get_attribute("alt"), f"{plot}: image without alt text"
        # What the user sees of it is a drawn chart, not a blank box.
        with Image.open(io.BytesIO(image.screenshot(path=str(tmp_path / f"{plot}.png")))) as drawn:
            assert colours(drawn) > 20, f"{plot}: the image looks blank ({colours(drawn)} colours)"
        dialog.get_by_role("button", name="Close").click()
        expect(dialog, f"{plot}: the dialog did not close").to_be_hidden()


def test_dashboard_checks_passed(ui_page: UiPage, dagster_ui: DagsterUi):
    from playwright.sync_api import expect

    graph = defs.resolve_asset_graph()
    on_asset = [c for c in graph.asset_check_keys if c.asset_key == DASHBOARD]
    # The checks executed with the materialisation (the gate); others (freshness) run on their own schedule.
    executed = [s for s in defs.get_assets_def(DASHBOARD).check_specs if s.asset_key == DASHBOARD]
    assert executed, "mart/bilateral_dashboard declares no check"

    page = ui_page.page
    page.goto(dagster_ui.url(asset_route(DASHBOARD, "checks")))
    expect(
        page.get_by_text(f"Checks ({len(on_asset)})", exact=True),
        f"the Checks tab does not list {len(on_asset)} checks",
    ).to_be_visible(timeout=TIMEOUT_MS)
    expect(page.get_by_text("Succeeded", exact=True), "checks listed as Succeeded").to_have_count(
        len(executed), timeout=TIMEOUT_MS
    )
    for check in executed:
        # An unknown checkDetail falls back to the first check: the description says which one is shown.
        page.goto(dagster_ui.url(f"{asset_route(DASHBOARD, 'checks')}&checkDetail={quote(check.name)}"))
        identity = page.get_by_text(check.description) if check.description else page.get_by_text(check.name).last
        expect(identity, f"{check.name}: its detail is not shown").to_be_visible(timeout=TIMEOUT_MS)
        result = page.get_by_text("Evaluation result", exact=True)
        expect(result, f"{check.name}: no latest execution").to_be_visible(timeout=TIMEOUT_MS)
        latest = page.locator("body").inner_text()
        assert re.search(r"Evaluation result\s+Passed\b", latest), (
            f"{check.name} did not pass in the UI ({page.url}): " + latest[latest.find("Latest execution") :][:600]
        )
