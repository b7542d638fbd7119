"""Generated interactions over the whole input space (dates at and just past the bounds in every
offset, any unicode, huge numbers, deep JSON, every enum value and junk), on every engine: a
write is refused with a 4xx and changes nothing, or what was stored reads back the same through
GET by id, the history list, GetInteractionContent over CometD, the web pages, and an export
re-imported elsewhere. A 500 anywhere fails."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta, timezone
from pathlib import Path
from typing import Any

import httpx
from click.testing import CliRunner
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from litestar import Litestar
from litestar.testing import TestClient

from openucs.cli import cli
from openucs.domain.enums import InteractionType, MediaType, State
from openucs.domain.formats import EARLIEST, LATEST
from openucs.gws.limits import MAX_CALL_DURATION, MAX_JSON_DEPTH
from openucs.store import Store
from tests.api.conftest import PASSWORD, Api, People
from tests.api.test_operations import Comet, run_op
from tests.web.conftest import Browser

CREATE = "/openucs/v1/interactions"
HISTORY = "/api/v2/ucs/interactions"
WIDEST = {"fromDate": "1799-12-31", "toDate": "9000-01-01", "maxSize": "1000"}
COMPARED = ("mediaType", "typeId", "state", "startDate", "endDate", "subject", "comment")
COMPARED_TOO = ("customAttributes", "phoneNumber", "callDuration", "userData", "threadId")
MS = timedelta(milliseconds=1)

# --- strategies ------------------------------------------------------------------------------
# Each field has values to accept and values to refuse; a generated body is all acceptable, or
# acceptable but for one field, so that both the writes and the refusals are well explored.

ODD = ["\u0301", "\u200d", "\ufeff", "\U0001f600", "\U0001d518", "a", " ", "\\", '"', "\u00e9"]
good_text = st.text(max_size=24).filter(lambda t: "\x00" not in t) | st.text(
    alphabet=st.sampled_from(ODD), max_size=12
)
bad_text = st.text(alphabet=st.sampled_from([*ODD, "\x00"]), max_size=6).map(lambda t: t + "\x00")
offsets = st.one_of(
    st.just(UTC),
    st.integers(-14 * 60, 14 * 60).map(lambda m: timezone(timedelta(minutes=m))),
)
_FIRST = datetime(1, 1, 2)  # noqa: DTZ001 - naive: the offset is drawn separately
_LAST = datetime(9999, 12, 30)  # noqa: DTZ001
_LAST_MS = LATEST.replace(microsecond=999_000)


def _written(moment: datetime, gws_form: bool) -> str:
    """ISO-8601 (`Z` for UTC) or the GWS resource form `yyyy-MM-dd HH:mm:ss.SSS+hhmm`."""
    text = moment.isoformat(timespec="milliseconds")
    if gws_form:
        return text.replace("T", " ")[:23] + text[23:].replace(":", "")
    return text.replace("+00:00", "Z")


@st.composite
def _instant(draw: st.DrawFn, *, accepted: bool) -> str:
    """In the accepted range (at a bound or anywhere), or a millisecond to centuries outside."""
    if accepted:
        edges, low, high = [EARLIEST, _LAST_MS], EARLIEST, _LAST_MS
    else:
        edges, low, high = [EARLIEST - MS, _LAST_MS + MS], _FIRST.replace(tzinfo=UTC), EARLIEST
    if draw(st.booleans()):
        moment = draw(st.sampled_from(edges))
    else:
        naive = draw(
            st.datetimes(
                min_value=low.replace(tzinfo=None), max_value=(high - MS).replace(tzinfo=None)
            )
        )
        moment = naive.replace(microsecond=naive.microsecond // 1000 * 1000, tzinfo=UTC)
    return _written(moment.astimezone(draw(offsets)), draw(st.booleans()))


good_instant = _instant(accepted=True)
JUNK_DATES = ["", "yesterday", "2024-02-30T00:00:00Z", "9999-12-31T23:59:59.999-14:00"]
bad_instant = _instant(accepted=False) | st.sampled_from(JUNK_DATES) | bad_text


def _nested(depth: int) -> Any:
    value: Any = "leaf"
    for _ in range(depth):
        value = {"k": value}
    return value


def _json(text: st.SearchStrategy[str]) -> st.SearchStrategy[Any]:
    return st.recursive(
        st.none()
        | st.booleans()
        | st.integers(-(2**63), 2**64 - 1)
        | st.floats(allow_nan=False, allow_infinity=False)
        | text,
        lambda inner: st.lists(inner, max_size=3) | st.dictionaries(text, inner, max_size=3),
        max_leaves=8,
    )


def _enum(values: list[str]) -> st.SearchStrategy[str]:
    return st.sampled_from(values) | st.sampled_from(values).map(str.upper)


MESSAGE_TYPES = ["Text", "ParticipantJoined", "ParticipantLeft", "PushUrl", "Notice"]
good_message = st.fixed_dictionaries(
    {"index": st.integers(0, 5), "type": st.sampled_from(MESSAGE_TYPES), "timestamp": good_instant},
    optional={
        "text": good_text,
        "visibility": st.sampled_from(["All", "Agents", "Supervisors"]),
        "from": st.fixed_dictionaries(
            {"nickname": good_text, "type": st.sampled_from(["Agent", "Customer"])}
        ),
    },
)
bad_message = good_message.flatmap(
    lambda m: st.sampled_from(
        [{**m, "timestamp": "9999-12-31T23:59:59Z"}, {**m, "text": "a\x00"}, {**m, "type": None}]
    )
)

GOOD: dict[str, st.SearchStrategy[Any]] = {
    "mediaType": _enum([m.value for m in MediaType]),
    "startDate": good_instant,
    "typeId": _enum([t.value for t in InteractionType]),
    "state": _enum([s.value for s in State]),
    "endDate": good_instant,
    "subject": good_text,
    "comment": good_text,
    "customAttributes": st.dictionaries(good_text.filter(bool), good_text, max_size=3),
    "phoneNumber": good_text,
    "callDuration": st.none() | st.integers(0, 10**6) | st.just(MAX_CALL_DURATION),
    "userData": st.none()
    | st.dictionaries(good_text, _json(good_text), max_size=4)
    | st.sampled_from([1, MAX_JSON_DEPTH - 2]).map(_nested),
    "messages": st.lists(good_message, max_size=2),
}
BAD: dict[str, st.SearchStrategy[Any]] = {
    "mediaType": st.none() | st.just("fax") | bad_text | good_text,
    "startDate": bad_instant,
    "typeId": st.just("Sideways") | bad_text,
    "state": st.just("Paused") | bad_text,
    "endDate": bad_instant,
    "subject": bad_text,
    "comment": bad_text,
    "customAttributes": st.dictionaries(bad_text, good_text, min_size=1, max_size=2)
    | st.just({"Long": "x" * 1025}),
    "phoneNumber": bad_text | st.text(alphabet="0123456789", min_size=65, max_size=80),
    "callDuration": st.sampled_from([-1, MAX_CALL_DURATION + 1, 2**63, 10**20, 1e20, "ten"]),
    "userData": st.sampled_from([MAX_JSON_DEPTH, 1200]).map(_nested)
    | st.dictionaries(bad_text, st.none(), min_size=1, max_size=1),
    "messages": st.lists(bad_message, min_size=1, max_size=2),
}
REQUIRED = ("mediaType", "startDate")


@st.composite
def interactions(draw: st.DrawFn) -> dict[str, Any]:
    """An acceptable body, or one with a single field made unacceptable."""
    optional = {k: v for k, v in GOOD.items() if k not in REQUIRED}
    body: dict[str, Any] = draw(
        st.fixed_dictionaries({k: GOOD[k] for k in REQUIRED}, optional=optional)
    )
    if draw(st.booleans()):
        spoiled = draw(st.sampled_from(sorted(BAD)))
        body[spoiled] = draw(BAD[spoiled])
    return body


PATCHABLE = (
    "state",
    "endDate",
    "comment",
    "subject",
    "customAttributes",
    "userData",
    "callDuration",
)


@st.composite
def patches(draw: st.DrawFn) -> dict[str, Any]:
    """A PATCH body of one to three fields (null clears), a third of them spoiled in one."""
    names = draw(st.sets(st.sampled_from(PATCHABLE), min_size=1, max_size=3))
    body = {n: draw(GOOD[n] if n == "state" else GOOD[n] | st.none()) for n in sorted(names)}
    if draw(st.integers(0, 2)) == 0:
        spoiled = draw(st.sampled_from(PATCHABLE))
        body[spoiled] = draw(BAD[spoiled])
    return body


# --- the property ----------------------------------------------------------------------------


class Reader:
    """Every way to read one stored interaction back, each asserting the stored form."""

    def __init__(self, api: Api, client: TestClient[Litestar], people: People) -> None:
        self.api, self.client, self.people = api, client, people
        self.comet = Comet(client, people.admin.user_name)
        self.browser = Browser(client)

    def check(self, created: dict[str, Any]) -> None:
        iid = created["id"]
        read = _ok(self.api.get(f"{HISTORY}/{iid}"))
        _same(read["interaction"], created)
        assert (read.get("messages") or []) == (created.get("messages") or [])
        listed = _ok(self.api.get(HISTORY, params={**WIDEST, "threadId": created["threadId"]}))
        [item] = [i for i in listed["interactions"] if i["id"] == iid]
        assert item["startDate"] == created["startDate"]
        path = f"/ucs/interactions/{iid}"
        content = run_op(self.client, self.comet, self.people.admin, path, _content_op())
        _same(content["interaction"], created)
        self._web(iid, created["threadId"])

    def _web(self, iid: str, thread_id: str) -> None:
        self.client.cookies.clear()
        assert self.browser.login(self.people.admin.user_name, PASSWORD).status_code == 303
        page = self.browser.get(f"/interactions/{iid}")
        assert page.status_code == 200, page.text
        search = {"start": WIDEST["fromDate"], "end": WIDEST["toDate"], "thread": thread_id}
        found = self.browser.get("/", params=search)
        assert found.status_code == 200, found.text
        assert f'href="/interactions/{iid}"' in found.text


def _content_op() -> dict[str, Any]:
    return {"operationName": "GetInteractionContent"}


def _ok(response: httpx.Response) -> dict[str, Any]:
    assert response.status_code == 200, response.text
    body: dict[str, Any] = response.json()
    return body


def _same(read: dict[str, Any], created: dict[str, Any]) -> None:
    for name in COMPARED + COMPARED_TOO:
        assert read.get(name) == created.get(name), (name, read.get(name), created.get(name))


def _post(api: Api, body: dict[str, Any]) -> httpx.Response:
    text = json.dumps(body)  # 1e20 stays a float, deep values stay deep
    return api.post(CREATE, content=text, headers={"Content-Type": "application/json"})


def _patch_or_refuse(api: Api, reader: Reader, created: dict[str, Any], body: Any) -> None:
    """A PATCH that is refused leaves the interaction as it was; one that passes reads back."""
    path = f"{CREATE}/{created['id']}"
    text = json.dumps(body)
    response = api.patch(path, content=text, headers={"Content-Type": "application/json"})
    assert response.status_code < 500, response.text
    if response.status_code == 200:
        reader.check(response.json()["interaction"])
        return
    assert 400 <= response.status_code < 500, response.text
    assert set(response.json()) == {"statusCode", "statusMessage"}
    _same(_ok(api.get(f"{HISTORY}/{created['id']}"))["interaction"], created)


def _write_or_refuse(
    api: Api, store: Store, reader: Reader, body: dict[str, Any], patch: dict[str, Any]
) -> bool:
    before = store.count_interactions()
    response = _post(api, body)
    assert response.status_code < 500, response.text
    if response.status_code != 201:
        assert 400 <= response.status_code < 500, response.text
        assert set(response.json()) == {"statusCode", "statusMessage"}
        assert store.count_interactions() == before, response.text
        return False
    created = response.json()["interaction"]
    start = datetime.strptime(created["startDate"], "%Y-%m-%d %H:%M:%S.%f%z")
    assert EARLIEST <= start <= LATEST, created["startDate"]
    assert store.count_interactions() == before + 1
    reader.check(created)
    _patch_or_refuse(api, reader, created, patch)
    return True


def _export(database_url: str, out: Path) -> bytes:
    runner = CliRunner(env={"OPENUCS_DATABASE_URL": None})
    args = ["export", "-o", str(out), "--database", database_url]
    result = runner.invoke(cli, args, catch_exceptions=False)
    assert result.exit_code == 0, result.output
    return out.read_bytes()


def _import(database_url: str, source: Path) -> None:
    runner = CliRunner(env={"OPENUCS_DATABASE_URL": None})
    args = ["import", str(source), "--database", database_url]
    result = runner.invoke(cli, args, catch_exceptions=False)
    assert result.exit_code == 0, result.output


def test_every_write_is_refused_cleanly_or_round_trips(
    api: Api,
    client: TestClient[Litestar],
    people: People,
    store: Store,
    database_url: str,
    tmp_path: Path,
) -> None:
    reader = Reader(api, client, people)
    stored: list[bool] = []

    @settings(
        max_examples=80,
        deadline=None,
        database=None,
        suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
    )
    @given(body=interactions(), patch=patches())
    def write(body: dict[str, Any], patch: dict[str, Any]) -> None:
        stored.append(_write_or_refuse(api, store, reader, body, patch))

    write()
    assert any(stored), "no generated interaction was accepted: the strategies drifted"
    exported = _export(database_url, tmp_path / "all.ndjson")
    assert len(exported.splitlines()) == store.count_interactions() == sum(stored)
    copy = f"sqlite:///{tmp_path / 'copy.db'}"
    _import(copy, tmp_path / "all.ndjson")
    assert _export(copy, tmp_path / "again.ndjson") == exported
