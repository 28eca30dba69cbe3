#!/usr/bin/env python3
"""Contract test: drives the `synapse-fake` binary with the official Python SDK.

Usage:
    contract.py FACTS          FACTS = the JSON line `synapse-fake --json` prints, or a file
                               holding it, or `-` to read it from standard input

Every call goes through the Python SDK's v1 `BackendClient` or `AgentClient`. A call is
ACCEPTED when the Python client takes the fake's answer: no exception where success is
expected; the right exception class where an error is expected; and, where the Python SDK
has a pydantic model for the answer, that model validates it. A few answers are also held to
the shape the wire contract records (`shared/spec/`) where the SDK's own callers read it (a DRF
page, the tail's SSE events, console lines); those checks say so in their reason.

The script changes nothing in the SDK. It only observes the requests it sends (a response
hook on the SDK's own HTTP session), so that a failure names the method, path and status.

Prints one line per call, then `contract: calls=N accepted=M failed=K`; exits 1 if K > 0.
"""

from __future__ import annotations

import hashlib
import io
import json
import os
import struct
import sys
import tempfile
import time
import traceback
import urllib.error
import urllib.request
import warnings
import zipfile
import zlib
from pathlib import Path
from typing import Any, Callable
from urllib.parse import urlparse, urlsplit, urlunparse

warnings.simplefilter('ignore')  # the low-level presigned calls warn DeprecationWarning

import pydantic  # noqa: E402
from synapse_sdk.clients.agent import AgentClient  # noqa: E402
from synapse_sdk.clients.agent.models.resources import (  # noqa: E402
    AgentRuntimePolicy,
    ClusterResourceSnapshot,
)
from synapse_sdk.clients.backend import BackendClient  # noqa: E402
from synapse_sdk.clients.backend.bulk_upload.models import (  # noqa: E402
    ConfirmUploadResponse,
    PresignedUploadResponse,
)
from synapse_sdk.clients.backend.models import (  # noqa: E402
    Agent,
    ChunkedUploadFinalizeResponse,
    ChunkedUploadResponse,
    DataFileResponse,
    JobStatus,
    Storage,
)
from synapse_sdk.exceptions import (  # noqa: E402
    AuthorizationError,
    ClientError,
    ClientResponseIncompleteError,
    NotFoundError,
    ValidationError,
)

TERMINAL = {'SUCCEEDED', 'FAILED', 'STOPPED'}


class Unaccepted(Exception):
    """The answer was taken without an exception, but a check on it failed."""


def need(condition: Any, reason: str) -> None:
    """Fails the current call with `reason` unless `condition` holds."""
    if not condition:
        raise Unaccepted(reason)


def short(value: Any, limit: int = 300) -> str:
    text = value if isinstance(value, str) else json.dumps(value, default=str)
    return text if len(text) <= limit else text[: limit - 3] + '...'


# --------------------------------------------------------------------------------------------
# Observing the SDK's requests (read-only: a response hook on the session the SDK creates)
# --------------------------------------------------------------------------------------------

LAST: dict[str, str] = {}


def _observe(response, *args, **kwargs):  # requests response hook
    parts = urlsplit(response.request.url)
    path = parts.path + (f'?{parts.query}' if parts.query else '')
    LAST['request'] = f'{response.request.method} {path} -> {response.status_code}'


class ObservedBackend(BackendClient):
    """The SDK's BackendClient; its session also records the last request it sent."""

    def _create_session(self):
        session = super()._create_session()
        session.hooks['response'].append(_observe)
        return session


class ObservedAgent(AgentClient):
    """The SDK's AgentClient; its session also records the last request it sent."""

    def _create_session(self):
        session = super()._create_session()
        session.hooks['response'].append(_observe)
        return session


# --------------------------------------------------------------------------------------------
# The control plane (plain HTTP, not the SDK: it is the fake's, never the platform's)
# --------------------------------------------------------------------------------------------


class ControlError(Exception):
    """The fake's control plane refused or does not serve a request."""


def control(facts: dict, method: str, path: str, body: Any = None) -> Any:
    """`method` `{backend_url}_fake/{path}` with a JSON body; the JSON answer (None if empty)."""
    base = facts.get('control_url') or facts['backend_url'].rstrip('/') + '/_fake/'
    url = base.rstrip('/') + '/' + path.lstrip('/')
    data = None if body is None and method in ('GET', 'DELETE') else json.dumps(body).encode()
    req = urllib.request.Request(url, data=data, method=method)
    if data is not None:
        req.add_header('Content-Type', 'application/json')
    try:
        with urllib.request.urlopen(req, timeout=10) as resp:
            raw = resp.read()
    except urllib.error.HTTPError as e:
        hint = ' (this fake does not serve the control plane)' if e.code in (401, 404) else ''
        raise ControlError(
            f'control plane {method} /_fake/{path} -> {e.code} {short(e.read().decode(errors="replace"), 120)}{hint}'
        ) from None
    except OSError as e:
        raise ControlError(f'control plane {method} /_fake/{path}: {e}') from None
    return json.loads(raw) if raw.strip() else None


# --------------------------------------------------------------------------------------------
# Recording calls
# --------------------------------------------------------------------------------------------


class Contract:
    """Runs calls and records, for each, whether the Python client accepted the answer."""

    def __init__(self) -> None:
        self.results: list[tuple[str, bool, str]] = []

    def call(
        self,
        label: str,
        fn: Callable[[], Any],
        *,
        check: Callable[[Any], None] | None = None,
        expect: type[BaseException] | None = None,
        check_error: Callable[[BaseException], None] | None = None,
    ) -> Any:
        """Runs `fn`; returns its result (None when it failed or raised as expected)."""
        LAST.clear()
        started = time.monotonic()
        result = None
        try:
            result = fn()
            if expect is not None:
                raise Unaccepted(f'expected {expect.__name__}, got an answer: {short(result, 160)}')
            if check is not None:
                check(result)
            ok, reason = True, ''
        except Unaccepted as e:
            ok, reason, result = False, str(e), None
        except ControlError as e:
            ok, reason, result = False, str(e), None
        except pydantic.ValidationError as e:
            ok, reason, result = False, f'pydantic model rejected the answer: {short(str(e), 400)}', None
        except BaseException as e:  # noqa: BLE001 - every failure is a finding
            if isinstance(e, KeyboardInterrupt):
                raise
            result = None
            if expect is not None and isinstance(e, expect):
                try:
                    if check_error is not None:
                        check_error(e)
                    ok, reason = True, ''
                except Unaccepted as u:
                    ok, reason = False, str(u)
            else:
                ok, reason = False, describe(e, expect)
        took = time.monotonic() - started
        if not ok and LAST.get('request'):
            reason += f' [last request: {LAST["request"]}]'
        self.results.append((label, ok, reason))
        mark = 'ok  ' if ok else 'FAIL'
        print(f'{mark} {label} ({took:.2f}s)' + (f' -- {reason}' if reason else ''), flush=True)
        return result if ok else None

    def summary(self) -> int:
        calls = len(self.results)
        accepted = sum(1 for _, ok, _ in self.results if ok)
        failed = calls - accepted
        print(f'contract: calls={calls} accepted={accepted} failed={failed}', flush=True)
        print(f'contract: {accepted} passed, {failed} failed', flush=True)
        return failed


def describe(e: BaseException, expect: type[BaseException] | None) -> str:
    if isinstance(e, ClientError):
        text = f'{type(e).__name__} {e.status_code}: {short(e.detail, 300)}'
    else:
        tb = traceback.extract_tb(e.__traceback__)
        where = f' at {Path(tb[-1].filename).name}:{tb[-1].lineno}' if tb else ''
        text = f'{type(e).__name__}: {short(str(e), 300)}{where}'
    if expect is not None:
        return f'expected {expect.__name__}, got {text}'
    return text


# --------------------------------------------------------------------------------------------
# Answer checks
# --------------------------------------------------------------------------------------------


def is_page(value: Any) -> None:
    need(isinstance(value, dict), f'expected a DRF page object, got {short(value, 120)}')
    missing = [k for k in ('count', 'next', 'previous', 'results') if k not in value]
    need(not missing, f'DRF page lacks {missing} (spec models.md §0.6): {short(value, 160)}')
    need(isinstance(value['results'], list), 'page results is not an array')


def page_with(key: str, wanted: Any) -> Callable[[Any], None]:
    def check(value: Any) -> None:
        is_page(value)
        found = [item.get(key) for item in value['results'] if isinstance(item, dict)]
        need(wanted in found, f'{key}={wanted!r} not in the page (read after write): {short(found, 160)}')

    return check


def has_id(value: Any) -> None:
    need(isinstance(value, dict) and value.get('id') is not None, f'answer has no id: {short(value, 160)}')


def job_status_ok(job: Any) -> None:
    has_id(job)
    JobStatus(job.get('status'))  # the SDK's own enum of the backend's job statuses


def is_array(value: Any) -> None:
    need(isinstance(value, list), f'expected a bare array (spec agent-v1.md §1), got {short(value, 120)}')


def model(cls: type[pydantic.BaseModel], also: Callable[[Any], None] | None = None) -> Callable[[Any], None]:
    def check(value: Any) -> None:
        if not isinstance(value, cls):
            cls.model_validate(value)
        if also is not None:
            also(value)

    return check


def first(items: Any, *keys: str) -> Any:
    """The first non-null value of any of `keys` in the first item of a page or array."""
    if isinstance(items, dict):
        items = items.get('results') or []
    for item in items or []:
        if isinstance(item, dict):
            for k in keys:
                if item.get(k) is not None:
                    return item[k]
    return None


def listed(value: Any, what: str, source: str, get: Callable[[Any], Any]) -> Callable[[], Any]:
    """A call of `get(value)` for an id read from a list; refused when `source` gave no `what` id."""

    def run() -> Any:
        need(value, f'no {what} id: {source} gave none')
        return get(value)

    return run


def fault_consumed(facts: dict, marker: str) -> None:
    """The fault tagged `marker` (its path) has no times left: the request really hit it."""
    armed = control(facts, 'GET', 'faults') or []
    if isinstance(armed, dict):
        armed = armed.get('faults') or armed.get('results') or []
    left = [f for f in armed if f.get('path') == marker and (f.get('times') or 0) > 0]
    need(not left, f'the armed fault on {marker} was never hit: {short(left, 160)}')


# --------------------------------------------------------------------------------------------
# Test data
# --------------------------------------------------------------------------------------------


def png_bytes(width: int = 4, height: int = 4) -> bytes:
    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack('>I', len(data)) + kind + data + struct.pack('>I', zlib.crc32(kind + data))

    raw = b''.join(b'\x00' + b'\x80\x40\x20' * width for _ in range(height))
    header = struct.pack('>IIBBBBB', width, height, 8, 2, 0, 0, 0)
    return b'\x89PNG\r\n\x1a\n' + chunk(b'IHDR', header) + chunk(b'IDAT', zlib.compress(raw)) + chunk(b'IEND', b'')


def plugin_archive(code: str) -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, 'w') as z:
        z.writestr(
            'config.yaml',
            f'name: Contract {code}\ncode: {code}\nversion: 1.0.0\ncategory: neural_net\n'
            'actions:\n  train:\n    entrypoint: plugin.train.main\n    method: job\n'
            '  inference:\n    entrypoint: plugin.inference.main\n    method: serve\n',
        )
        z.writestr('plugin/__init__.py', '')
        z.writestr('plugin/train.py', 'def main(params):\n    return {"ok": True}\n')
        z.writestr('plugin/inference.py', 'def main(params):\n    return {"label": "cat"}\n')
    return buf.getvalue()


# --------------------------------------------------------------------------------------------
# The flows
# --------------------------------------------------------------------------------------------


def wait_for_job(backend: BackendClient, job_id: Any, limit: float = 20.0) -> dict:
    deadline = time.monotonic() + limit
    while True:
        job = backend.get_job(job_id)
        job_status_ok(job)
        if job['status'] in TERMINAL:
            return job
        need(time.monotonic() < deadline, f'job {job_id} still {job["status"]} after {limit:.0f}s')
        time.sleep(0.2)


def nested_message(data: str) -> str:
    """A `log` event's text: `data`, or the message of a nested `data: {"type": "log", ...}`."""
    if data.startswith('data:'):
        try:
            inner = json.loads(data[5:].strip())
        except ValueError:
            return data
        if isinstance(inner, dict) and isinstance(inner.get('message'), str):
            return inner['message']
    return data


def check_backend_tail(console: dict) -> Callable[[Any], None]:
    """The tail's SSE lines per backend-v1.md §3.4 (the SDK yields them raw)."""

    def check(lines: list[str]) -> None:
        events = []
        for line in lines:
            if line.startswith('data:'):
                events.append(json.loads(line[5:].strip()))
        need(events, f'no `data:` event among {len(lines)} lines: {short(lines[:5], 160)}')
        kinds = [e.get('type') for e in events]
        unknown = sorted({k for k in kinds if k not in ('connected', 'log', 'complete', 'error')})
        need(not unknown, f'unknown event types {unknown}')
        need(kinds[-1] == 'complete', f'the tail did not end with `complete`: {kinds[-3:]}')
        logs = [e for e in events if e.get('type') == 'log']
        wrong = [e for e in logs if not isinstance(e.get('data'), str)]
        need(
            not wrong,
            f'log events carry no `data` text (spec backend-v1.md §3.4: `log` events carry `data`): {short(wrong[:2], 200)}',
        )
        texts = [nested_message(e['data']) for e in logs]
        missing = [line for line in console.get('lines', []) if line not in texts]
        need(not missing, f'console lines missing from the tail: {short(missing[:3], 160)}')

    return check


def integration(c: Contract, backend: BackendClient, facts: dict, tmp: Path, ctx: dict) -> None:
    code = f'contract{os.getpid()}'
    ctx['plugin_code'] = code

    agents = c.call(
        'backend.list_agents',
        lambda: backend.list_agents(),
        check=lambda v: (need(isinstance(v, list) and v, 'no agent listed'), [model(Agent)(a) for a in v]),
    )
    agent_token = (agents[0].token if agents and agents[0].token else None) or facts.get('agent_token')
    agent_id = agents[0].id if agents else None
    c.call('backend.health_check_agent', lambda: backend.health_check_agent(agent_token))

    plugin = c.call(
        'backend.create_plugin',
        lambda: backend.create_plugin(
            {'name': 'Contract plugin', 'code': code, 'category': 'neural_net', 'description': 'from contract.py'}
        ),
        check=has_id,
    )
    plugin_id = plugin['id'] if plugin else 0
    ctx['plugin_id'] = plugin_id
    c.call(
        'backend.get_plugin',
        lambda: backend.get_plugin(plugin_id),
        check=lambda v: need(v.get('code') == code, f'get_plugin code {v.get("code")!r}, created {code!r}'),
    )
    c.call(
        'backend.update_plugin',
        lambda: backend.update_plugin(plugin_id, {'name': 'Contract plugin', 'description': 'updated'}),
        check=lambda v: need(v.get('description') == 'updated', f'description not updated: {short(v, 160)}'),
    )

    archive = tmp / f'{code}-1.0.0.zip'
    archive.write_bytes(plugin_archive(code))
    # `inference` runs on Ray Serve: running it on the agent deploys the application `code@version`.
    config = {
        'actions': {
            'train': {'entrypoint': 'plugin.train.main', 'method': 'job'},
            'inference': {'entrypoint': 'plugin.inference.main', 'method': 'serve'},
        }
    }
    release = c.call(
        'backend.create_plugin_release (multipart archive)',
        lambda: backend.create_plugin_release(
            {'plugin': code, 'version': '1.0.0', 'config': config, 'requirements': ['numpy>=1']}, file=archive
        ),
        check=has_id,
    )
    release_id = release['id'] if release else 0
    ctx['release_id'] = release_id
    c.call(
        'backend.create_plugin_release (json)',
        lambda: backend.create_plugin_release({'plugin': code, 'version': '1.1.0', 'config': config}),
        check=has_id,
    )
    c.call(
        'backend.create_plugin_release (duplicate -> ValidationError "already exists")',
        lambda: backend.create_plugin_release({'plugin': code, 'version': '1.0.0', 'config': config}),
        expect=ValidationError,
        check_error=lambda e: need(
            any(t in str(e) for t in ('already exists', 'version_exists', '이미 존재')),
            f'the duplicate message lacks "already exists" (the SDK\'s publish command checks it): {short(e.detail, 200)}',
        ),
    )
    c.call(
        'backend.list_plugin_releases',
        lambda: backend.list_plugin_releases(code, params={'ordering': '-created'}),
        check=lambda v: need(
            isinstance(v, list) and release_id in [r.get('id') for r in v],
            f'release {release_id} not listed: {short(v, 160)}',
        ),
    )
    c.call(
        'backend.get_plugin_release',
        lambda: backend.get_plugin_release(release_id, params={'expand': 'plugin'}),
        check=lambda v: need(v.get('version') == '1.0.0', f'version {v.get("version")!r}'),
    )
    c.call(
        'backend.get_plugin_release_by_lookup',
        lambda: backend.get_plugin_release_by_lookup(f'{code}@1.0.0'),
        check=lambda v: need(
            isinstance(v.get('plugin'), dict) and v['plugin'].get('code') == code,
            f'expand=plugin did not embed the plugin: {short(v.get("plugin"), 120)}',
        ),
    )

    run = c.call(
        'backend.run_plugin',
        lambda: backend.run_plugin(
            code, {'agent': agent_id, 'action': 'train', 'params': {'epochs': 1}, 'version': '1.0.0'}
        ),
        check=lambda v: need(isinstance(v, dict) and (v.get('job_id') or v.get('id')), f'no job id: {short(v, 160)}'),
    )
    job_id = (run.get('job_id') or run.get('id')) if run else '00000000-0000-4000-8000-000000000000'
    ctx['job_id'] = job_id
    c.call('backend.get_job', lambda: backend.get_job(job_id), check=job_status_ok)

    # Tail the running job (raw SSE lines; the SDK does not parse them) while it runs; the
    # lines are judged below, once the console log is known.
    tail_lines: list[str] = []
    tail_error: BaseException | None = None
    try:
        for line in backend.tail_job_console_logs(job_id):
            tail_lines.append(line)
            if len(tail_lines) > 10000:
                break
    except Exception as e:  # noqa: BLE001 - reported by the call below
        tail_error = e

    c.call('backend.get_job (poll to a terminal status)', lambda: wait_for_job(backend, job_id))
    console = c.call(
        'backend.list_job_console_logs',
        lambda: backend.list_job_console_logs(job_id),
        check=lambda v: need(
            isinstance(v, list) and v and all(isinstance(x, str) for x in v),
            f'expected a bare array of log lines (spec backend-v1.md §3.4), got {short(v, 160)}',
        ),
    )

    def tail_outcome() -> list[str]:
        if tail_error is not None:
            raise tail_error
        return tail_lines

    c.call('backend.tail_job_console_logs', tail_outcome, check=check_backend_tail({'lines': console or []}))

    c.call(
        'backend.list_jobs',
        lambda: backend.list_jobs({'plugin_release': release_id, 'page_size': 10}),
        check=lambda v: (page_with('id', job_id)(v), [job_status_ok(j) for j in v['results']]),
    )
    c.call(
        'backend.list_jobs (status filter)',
        lambda: backend.list_jobs({'status': 'SUCCEEDED'}),
        check=lambda v: (
            is_page(v),
            need(all(j.get('status') == 'SUCCEEDED' for j in v['results']), 'the status filter was not applied'),
        ),
    )
    c.call(
        'backend.update_job',
        lambda: backend.update_job(
            job_id,
            {'progress_record': {'step': 5, 'total': 5}, 'metrics_record': {'loss': 0.25}, 'meta': {'queue': {'position': 0}}},
        ),
        check=lambda v: need(
            v.get('metrics_record') == {'loss': 0.25}, f'metrics_record not written: {short(v.get("metrics_record"), 120)}'
        ),
    )
    c.call(
        'backend.get_job (read after update)',
        lambda: backend.get_job(job_id),
        check=lambda v: need(v.get('progress_record') == {'step': 5, 'total': 5}, 'progress_record not kept'),
    )
    c.call(
        'backend.create_logs (one entry)',
        lambda: backend.create_logs([{'message': 'contract started', 'level': 'info', 'context': {'job': job_id}}]),
    )
    c.call(
        'backend.create_logs (several, job logger shape)',
        lambda: backend.create_logs(
            [
                {'event': 'progress', 'data': {'step': 1}, 'datetime': '2026-01-01T00:00:00Z', 'job': job_id},
                {'message': 'epoch 2', 'level': 'warning'},
            ]
        ),
    )

    app = c.call(
        'backend.create_serve_application',
        lambda: backend.create_serve_application(
            {'job': job_id, 'status': 'PENDING', 'data': {'route_prefix': f'/{code}', 'num_replicas': 1}}
        ),
        check=has_id,
    )
    c.call('backend.list_serve_applications', lambda: backend.list_serve_applications(), check=is_page)

    def all_apps() -> list:
        items, count = backend.list_serve_applications(list_all=True)
        items = list(items)
        need(len(items) == count, f'list_all yielded {len(items)} of count={count}')
        return items

    c.call(
        'backend.list_serve_applications (list_all)',
        all_apps,
        check=lambda v: need(app is None or app['id'] in [a.get('id') for a in v], 'created app not listed'),
    )

    storage = c.call('backend.get_default_storage', lambda: backend.get_default_storage(), check=has_id)
    storage_id = storage['id'] if storage else 1
    ctx['storage_id'] = storage_id
    c.call('backend.get_storage', lambda: backend.get_storage(storage_id), check=model(Storage))

    blob = tmp / 'weights.bin'
    blob.write_bytes(os.urandom(150 * 1024 + 17))
    progress: list[tuple[int, int]] = []
    upload = c.call(
        'backend.create_chunked_upload (3 chunks)',
        lambda: backend.create_chunked_upload(blob, chunk_size=64 * 1024, on_progress=lambda d, t: progress.append((d, t))),
        check=model(
            ChunkedUploadFinalizeResponse,
            lambda v: (
                need(len(progress) == 3 and progress[-1][0] == progress[-1][1], f'progress {progress}'),
                need(
                    not v.get('checksum') or v['checksum'].lower() == hashlib.md5(blob.read_bytes()).hexdigest(),
                    f'checksum {v.get("checksum")} is not the file MD5',
                ),
            ),
        ),
    )
    c.call(
        'backend.get_chunked_upload',
        lambda: backend.get_chunked_upload(upload['id'] if upload else 'missing'),
        check=model(ChunkedUploadResponse, lambda v: need(v.get('completed_at'), 'completed_at not set')),
    )

    # Natural errors of the platform (not armed).
    c.call(
        'backend.get_plugin (unknown id -> NotFoundError)',
        lambda: backend.get_plugin(987654321),
        expect=NotFoundError,
        check_error=lambda e: need(e.detail == {'detail': 'Not found.'}, f'404 body {short(e.detail, 120)}'),
    )
    c.call(
        'backend.create_plugin (empty -> ValidationError naming every field)',
        lambda: backend.create_plugin({'description': 'no code, name or category'}),
        expect=ValidationError,
        check_error=lambda e: need(
            isinstance(e.detail, dict) and {'code', 'name', 'category'} <= set(e.detail),
            f'400 does not name code, name and category: {short(e.detail, 200)}',
        ),
    )


def data_collection(c: Contract, backend: BackendClient, tmp: Path, ctx: dict) -> None:
    collections = c.call('backend.list_data_collections', lambda: backend.list_data_collections(), check=is_page)
    dc_id = first(collections, 'id') or 1
    ctx['collection_id'] = dc_id
    dc = c.call(
        'backend.get_data_collection',
        lambda: backend.get_data_collection(dc_id),
        check=lambda v: need(
            isinstance(v.get('file_specifications'), list) and v['file_specifications'],
            'no file_specifications (the SDK expands them)',
        ),
    )
    specs = (dc or {}).get('file_specifications') or [{'name': 'image_1'}]
    spec = next((s for s in specs if s.get('is_primary')), specs[0])['name']
    ctx['spec_name'] = spec

    image = tmp / 'contract-1.png'
    image.write_bytes(png_bytes())
    data_file = c.call('backend.create_data_file (multipart)', lambda: backend.create_data_file(image), check=model(DataFileResponse))
    checksum = data_file['checksum'] if data_file else 'missing'
    c.call(
        'backend.verify_data_files_checksums',
        lambda: backend.verify_data_files_checksums([checksum, '0' * 40]),
        check=lambda v: need(
            isinstance(v, dict) and v.get('existing_checksums') == [checksum],
            f'existing_checksums should be [{checksum}] (the SDK upload action reads it): {short(v, 160)}',
        ),
    )
    unit = c.call(
        'backend.create_data_units (one object)',
        lambda: backend.create_data_units(
            {'data_collection': dc_id, 'files': {spec: {'checksum': checksum, 'path': str(image)}}, 'meta': {'k': 1}}
        ),
        check=lambda v: need(
            (isinstance(v, dict) and (v.get('id') or first(v, 'id'))) or (isinstance(v, list) and first(v, 'id')),
            f'no unit id in {short(v, 160)}',
        ),
    )
    unit_id = (unit.get('id') or first(unit, 'id')) if isinstance(unit, dict) else first(unit, 'id')
    unit_id = unit_id or 0
    ctx['unit_ids'] = [unit_id]
    second = tmp / 'contract-2.png'
    second.write_bytes(png_bytes(6, 6))
    payload = c.call(
        'backend.upload_data_file',
        lambda: backend.upload_data_file({'files': {spec: second}, 'meta': {'m': 1}, 'groups': 'batch-01'}, dc_id),
        check=lambda v: need(v.get('files', {}).get(spec, {}).get('checksum'), f'no checksum: {short(v, 160)}'),
    )
    units = c.call(
        'backend.create_data_units (array, groups)',
        lambda: backend.create_data_units([payload or {'data_collection': dc_id, 'files': {}}]),
        check=lambda v: need(first(v, 'id'), f'no unit id in {short(v, 160)}'),
    )
    if units:
        ctx['unit_ids'].append(first(units, 'id'))
    c.call(
        'backend.get_data_unit',
        lambda: backend.get_data_unit(unit_id, params={'expand': 'files'}),
        check=lambda v: need(v.get('id') == unit_id and v.get('files'), f'unit {unit_id} without files: {short(v, 160)}'),
    )
    c.call(
        'backend.list_data_units',
        lambda: backend.list_data_units({'data_collection': dc_id}),
        check=page_with('id', unit_id),
    )
    # Without project_id: with one, the SDK reads the units answer as an object and crashes on
    # an array (a client flaw, spec backend-domains.md §5.4); create_tasks covers that step.
    done: list[int] = []
    c.call(
        'backend.upload_data_collection (files, units)',
        lambda: backend.upload_data_collection(
            dc_id,
            [{'files': {spec: image}, 'meta': {'batch': 2}}, {'files': {spec: second}, 'meta': {'batch': 2}}],
            max_workers=1,
            on_progress=lambda d, t: done.append(d),
        ),
        check=lambda v: need(done == [1, 2], f'progress {done}'),
    )


def annotation(c: Contract, backend: BackendClient, facts: dict, tmp: Path, ctx: dict) -> None:
    project_id = ctx.get('project_id') or 1
    c.call(
        'backend.get_project',
        lambda: backend.get_project(project_id),
        check=lambda v: need(v.get('id') == project_id, f'project id {v.get("id")}'),
    )
    created = c.call(
        'backend.create_tasks',
        lambda: backend.create_tasks({'project': project_id, 'data': [{'data_unit': u} for u in ctx['unit_ids']]}),
    )
    c.call(
        'backend.list_tasks',
        lambda: backend.list_tasks({'project': project_id}),
        check=lambda v: (is_page(v), need(v['count'] >= len(ctx['unit_ids']), f'count {v["count"]} after create_tasks')),
    )
    tasks = c.call('backend.list_tasks (list_all)', lambda: list(backend.list_tasks({'project': project_id}, list_all=True)[0]))
    task_id = first(tasks, 'id') or first(created if isinstance(created, (list, dict)) else [], 'id') or 1
    ctx['task_id'] = task_id
    c.call(
        'backend.list_tasks_data',
        lambda: backend.list_tasks_data({'project': project_id}),
        check=lambda v: (is_page(v), need(all('data' in t for t in v['results']), 'items lack `data`')),
    )
    c.call(
        'backend.list_tasks_files',
        lambda: backend.list_tasks_files({'project': project_id}),
        check=lambda v: (
            is_page(v),
            need(all(isinstance(t.get('files'), list) for t in v['results']), 'items lack a `files` array'),
        ),
    )
    c.call(
        'backend.get_task',
        lambda: backend.get_task(task_id, params={'fields': 'id,data,data_unit', 'expand': 'data_unit'}),
        check=lambda v: need(v.get('id') == task_id, f'task id {v.get("id")}'),
    )
    annotation = {'action': 'submit', 'data': {'annotations': [{'class': 'cat', 'bbox': [1, 2, 3, 4]}]}}
    c.call('backend.annotate_task_data', lambda: backend.annotate_task_data(task_id, annotation))
    c.call('backend.annotate_task_data (schema=any)', lambda: backend.annotate_task_data(task_id, {'a': 1}, schema='any'))
    c.call(
        'backend.annotate_task_data_batch',
        lambda: backend.annotate_task_data_batch([{'task_id': task_id, 'data': annotation}], max_workers=1),
        check=lambda v: need(v.get(task_id, {}).get('success'), f'batch item failed: {short(v, 200)}'),
    )
    tags = c.call('backend.list_task_tags', lambda: backend.list_task_tags({'project': project_id}), check=is_page)
    tag_id = first(tags, 'id')
    ctx['tag_id'] = tag_id
    c.call(
        'backend.get_task_tag',
        listed(tag_id, 'task tag', 'list_task_tags', backend.get_task_tag),
        check=has_id,
    )
    c.call(
        'backend.set_tags_tasks',
        lambda: backend.set_tags_tasks({'ids': [task_id], 'tags': [tag_id or 1]}, params={'project': project_id}),
    )
    c.call(
        'backend.get_task (tags after set_tags)',
        lambda: backend.get_task(task_id),
        check=lambda v: need(
            tag_id is None or tag_id in (v.get('tags') or []), f'tag {tag_id} not on the task: {short(v.get("tags"), 80)}'
        ),
    )


def hitl(c: Contract, backend: BackendClient, ctx: dict) -> None:
    project_id = ctx.get('project_id') or 1
    page = c.call('backend.list_assignments', lambda: backend.list_assignments({'project': project_id}), check=is_page)
    assignment_id = first(page, 'id')
    c.call(
        'backend.get_assignment',
        listed(assignment_id, 'assignment', 'list_assignments', backend.get_assignment),
        check=has_id,
    )
    c.call(
        'backend.list_assignments (list_all)',
        lambda: list(backend.list_assignments({'project': project_id}, list_all=True)[0]),
    )
    c.call('backend.list_assignments_data', lambda: backend.list_assignments_data({'project': project_id}), check=is_page)
    c.call(
        'backend.list_assignments_files',
        lambda: backend.list_assignments_files({'project': project_id}),
        check=lambda v: (is_page(v), need(all(isinstance(a.get('files'), list) for a in v['results']), 'no files array')),
    )
    c.call(
        'backend.set_tags_assignments',
        lambda: backend.set_tags_assignments(
            {'ids': [assignment_id or 1], 'tags': [ctx.get('tag_id') or 1], 'action': 'add'}, params={'project': project_id}
        ),
    )


def forget_cached_download(backend: BackendClient, model_id: int) -> None:
    """Removes the SDK's cached copy of the model's file, if a previous run left one.

    The SDK caches downloads under /tmp/datamaker/media by the MD5 of the URL without its query
    and reuses a cached file without checking it (backend-domains.md §2.4). A fresh fake gives
    the same ids, so the same URL whenever the system gives it the same port: without this,
    get_model could return the file of an earlier run.
    """
    url = backend.get_model(model_id, url_conversion={}).get('file')
    if isinstance(url, str):
        parsed = urlparse(url)
        clean = urlunparse((parsed.scheme, parsed.netloc, parsed.path, parsed.params, '', ''))
        name = hashlib.md5(clean.encode('utf-8')).hexdigest() + Path(parsed.path).suffix
        Path('/tmp/datamaker/media', name).unlink(missing_ok=True)


def ml(c: Contract, backend: BackendClient, tmp: Path, ctx: dict) -> None:
    c.call('backend.list_models', lambda: backend.list_models(), check=is_page)
    checkpoint = tmp / 'model.pt'
    checkpoint.write_bytes(os.urandom(80 * 1024))
    created = c.call(
        'backend.create_model (file via chunked upload)',
        lambda: backend.create_model(
            {'name': 'contract-model', 'plugin': ctx.get('plugin_code', 'yolov8'), 'version': '1.0.0', 'description': 'c'},
            file=checkpoint,
        ),
        check=has_id,
    )
    model_id = created['id'] if created else 1
    forget_cached_download(backend, model_id)
    c.call(
        'backend.get_model (downloads `file`)',
        lambda: backend.get_model(model_id),
        check=lambda v: need(
            isinstance(v.get('file'), (str, Path)) and Path(v['file']).exists() and Path(v['file']).read_bytes() == checkpoint.read_bytes(),
            f'the model file was not downloaded intact: {short(v.get("file"), 120)}',
        ),
    )
    c.call(
        'backend.list_models (read after create)',
        lambda: backend.list_models({'name': 'contract-model'}),
        check=page_with('id', model_id),
    )
    versions = c.call('backend.list_ground_truth_versions', lambda: backend.list_ground_truth_versions(), check=is_page)
    version_id = first(versions, 'id')
    c.call(
        'backend.get_ground_truth_version',
        listed(version_id, 'version', 'list_ground_truth_versions', backend.get_ground_truth_version),
        check=has_id,
    )
    params = {'ground_truth_dataset_versions': [version_id or 1]}
    c.call('backend.list_ground_truths', lambda: backend.list_ground_truths(dict(params)), check=is_page)
    c.call('backend.list_ground_truth_events', lambda: backend.list_ground_truth_events(dict(params)), check=is_page)
    c.call('backend.list_ground_truth_events_data', lambda: backend.list_ground_truth_events_data(dict(params)), check=is_page)
    c.call(
        'backend.list_ground_truth_events_files',
        lambda: backend.list_ground_truth_events_files(dict(params)),
        check=is_page,
    )


def bulk_upload(c: Contract, backend: BackendClient, tmp: Path) -> None:
    files = []
    for n in range(3):
        p = tmp / f'bulk-{n}.txt'
        p.write_text(f'bulk file {n}\n' * (n + 1))
        files.append(p)
    done: list[int] = []
    c.call(
        'backend.upload_files_bulk (presigned, 2 batches)',
        lambda: backend.upload_files_bulk(files, batch_size=2, max_workers=2, on_progress=lambda d, t: done.append(d)),
        check=model(
            ConfirmUploadResponse,
            lambda v: (
                need(v.created_count == 3 and v.failed_count == 0, f'created {v.created_count}, failed {v.failed_count}: {short(v.model_dump(), 300)}'),
                need(all(r.data_file_id for r in v.results), 'a result without data_file_id'),
            ),
        ),
    )
    one = tmp / 'single.txt'
    one.write_text('one presigned file\n')
    reserved = c.call(
        'backend.request_presigned_upload',
        lambda: backend.request_presigned_upload([{'filename': one.name, 'size': one.stat().st_size, 'content_type': 'text/plain'}]),
        check=model(PresignedUploadResponse, lambda v: need(v.files and v.files[0].presigned_url, 'no presigned_url')),
    )
    put = c.call(
        'backend.upload_file_to_presigned_url',
        lambda: (
            need(reserved, 'no presigned URL: request_presigned_upload failed'),
            backend.upload_file_to_presigned_url(reserved.files[0].presigned_url, one, 'text/plain'),
        )[1],
        check=lambda v: need(v.checksum == hashlib.sha1(one.read_bytes()).hexdigest(), f'checksum {v.checksum}'),
    )
    c.call(
        'backend.confirm_presigned_upload',
        lambda: (
            need(reserved and put, 'nothing to confirm: the reservation or the PUT failed'),
            backend.confirm_presigned_upload([{'file_key': reserved.files[0].file_key, 'checksum': put.checksum, 'size': put.size}]),
        )[1],
        check=model(
            ConfirmUploadResponse,
            lambda v: need(v.created_count == 1 and v.results[0].success and v.results[0].data_file_id, short(v.model_dump(), 200)),
        ),
    )


def agent_flow(c: Contract, agent: AgentClient, backend: BackendClient, ctx: dict) -> None:
    code = ctx.get('plugin_code', 'yolov8')
    lookup = f'{code}@1.0.0'
    c.call('agent.health_check', lambda: agent.health_check())
    c.call(
        'agent.create_plugin_release',
        lambda: agent.create_plugin_release(code, '1.0.0'),
        check=lambda v: need(v.get('plugin') == code and v.get('version') == '1.0.0', short(v, 160)),
    )
    c.call('agent.list_plugin_releases', lambda: agent.list_plugin_releases({'plugin': code}), check=page_with('version', '1.0.0'))
    c.call('agent.list_plugin_releases (list_all)', lambda: list(agent.list_plugin_releases(list_all=True)[0]))
    c.call('agent.get_plugin_release', lambda: agent.get_plugin_release(lookup), check=has_id)
    run = c.call(
        'agent.run_plugin_release',
        lambda: agent.run_plugin_release(lookup, 'train', {'epochs': 1}, language='en'),
        check=lambda v: need(isinstance(v, dict) and v.get('job_id'), f'no job_id: {short(v, 120)}'),
    )
    job_id = run['job_id'] if run else 'missing'
    c.call(
        'agent.run_plugin_release (legacy data)',
        lambda: agent.run_plugin_release(lookup, data={'action': 'inference', 'params': {'image': 's3://b/1.jpg'}}),
    )
    debug = c.call(
        'agent.run_debug_plugin_release',
        lambda: agent.run_debug_plugin_release('train', {'epochs': 1}, plugin_path='/tmp/plugin', modules={'plugin.train': 'x = 1'}),
        check=lambda v: need(isinstance(v, dict) and v.get('job_id'), f'no job_id: {short(v, 120)}'),
    )
    c.call('agent.list_jobs', lambda: agent.list_jobs(), check=is_array)
    c.call('agent.get_job', lambda: agent.get_job(job_id), check=lambda v: need(v.get('status'), 'no status'))

    def tail(method: Callable[[], Any]) -> Callable[[], list]:
        return lambda: [m for m in method()]

    def same_as_console(messages: list) -> None:
        logs = agent.get_job_logs(job_id)
        lines = [line for line in logs.splitlines() if line]
        need(messages == lines, f'streamed {short(messages, 200)}; the job log has {short(lines, 200)}')

    c.call('agent.tail_job_logs (auto)', tail(lambda: agent.tail_job_logs(job_id, timeout=15)), check=same_as_console)
    c.call('agent.websocket_tail_job_logs', tail(lambda: agent.websocket_tail_job_logs(job_id, timeout=15)), check=same_as_console)
    c.call('agent.stream_tail_job_logs', tail(lambda: agent.stream_tail_job_logs(job_id, timeout=15)), check=same_as_console)
    c.call('agent.get_job_logs', lambda: agent.get_job_logs(job_id), check=lambda v: need(isinstance(v, str) and v, 'empty log'))
    c.call('agent.list_job_logs', lambda: agent.list_job_logs(job_id), check=lambda v: need(isinstance(v, str) and v, 'empty log'))
    # A fresh run, stopped at once, must read back as STOPPED.
    fresh = c.call(
        'agent.run_plugin_release (to stop)',
        lambda: agent.run_plugin_release(lookup, 'train', {'epochs': 100}),
        check=lambda v: need(isinstance(v, dict) and v.get('job_id'), f'no job_id: {short(v, 120)}'),
    )
    stop_id = fresh['job_id'] if fresh else (debug or {}).get('job_id', job_id)
    c.call('agent.stop_job', lambda: agent.stop_job(stop_id))
    c.call(
        'agent.get_job (after stop)',
        lambda: agent.get_job(stop_id),
        check=lambda v: need(v.get('status') == 'STOPPED', f'status {v.get("status")} after stop'),
    )

    c.call('agent.get_gpu_status', lambda: agent.get_gpu_status(), check=lambda v: need(isinstance(v, dict), short(v, 80)))
    nodes = c.call('agent.list_nodes', lambda: agent.list_nodes(), check=lambda v: (is_array(v), need(v, 'no node')))
    node_id = first(nodes, 'node_id', 'id') or 'missing'
    c.call('agent.get_node', lambda: agent.get_node(node_id), check=lambda v: need(isinstance(v, dict), short(v, 80)))
    tasks = c.call('agent.list_tasks', lambda: agent.list_tasks(), check=is_array)
    task_id = first(tasks, 'task_id', 'id')
    c.call(
        'agent.get_task',
        listed(task_id, 'Ray task', 'list_tasks', agent.get_task),
        check=lambda v: need(isinstance(v, dict), short(v, 80)),
    )
    apps = c.call('agent.list_serve_applications', lambda: agent.list_serve_applications(), check=is_array)
    app_name = first(apps, 'name') or lookup
    c.call(
        'agent.get_serve_application',
        lambda: agent.get_serve_application(app_name),
        check=lambda v: need(isinstance(v, dict) and v.get('status'), f'no status: {short(v, 120)}'),
    )
    c.call('agent.delete_serve_application', lambda: agent.delete_serve_application(app_name))
    c.call('agent.get_serve_application (deleted -> NotFoundError)', lambda: agent.get_serve_application(app_name), expect=NotFoundError)

    c.call('agent.get_cluster_resources', lambda: agent.get_cluster_resources(), check=model(ClusterResourceSnapshot))
    c.call('agent.get_cluster_resources (use_cache=false)', lambda: agent.get_cluster_resources(use_cache=False), check=model(ClusterResourceSnapshot))
    c.call(
        'agent.check_feasibility',
        lambda: agent.check_feasibility('serve', 1.0, num_gpus=0.0, metadata={'plugin_code': lookup}),
        check=lambda v: need(isinstance(v, dict) and isinstance(v.get('allowed'), bool), f'no boolean `allowed` (the SDK reads it): {short(v, 120)}'),
    )
    c.call('agent.get_gatekeeping_policy', lambda: agent.get_gatekeeping_policy(), check=model(AgentRuntimePolicy))
    c.call('agent.get_runtime_policy', lambda: agent.get_runtime_policy(), check=model(AgentRuntimePolicy))
    c.call(
        'agent.update_runtime_policy',
        lambda: agent.update_runtime_policy({'max_concurrent_jobs': 5}),
        check=lambda v: need(v.max_concurrent_jobs == 5, f'max_concurrent_jobs {v.max_concurrent_jobs}'),
    )
    c.call(
        'agent.update_gatekeeping_policy',
        lambda: agent.update_gatekeeping_policy({'gatekeeping_enabled': False}),
        check=model(AgentRuntimePolicy, lambda v: need(v.get('gatekeeping_enabled') is False and v.get('max_concurrent_jobs') == 5, short(v, 160))),
    )

    c.call('agent.get_compose_config', lambda: agent.get_compose_config(), check=lambda v: need({'working_dir', 'config_files', 'is_gpu_mode'} <= set(v), short(v, 120)))
    c.call('agent.get_system_status', lambda: agent.get_system_status(), check=lambda v: need('in_progress' in v, short(v, 120)))
    c.call('agent.update_system', lambda: agent.update_system(api_tag='v2', worker_tag='v2'), check=lambda v: need(v.get('status') in ('success', 'error', 'in_progress'), short(v, 120)))
    def update_ended() -> dict:
        deadline = time.monotonic() + 20
        while True:
            status = agent.get_system_status()
            if not status.get('in_progress'):
                return status
            need(time.monotonic() < deadline, f'the update is still in progress after 20s: {short(status, 120)}')
            time.sleep(0.2)

    c.call('agent.get_system_status (until the update ends)', update_ended)
    c.call('agent.restart_system', lambda: agent.restart_system(), check=lambda v: need(v.get('status') in ('success', 'error', 'in_progress'), short(v, 120)))
    c.call('agent.wait_for_system_ready', lambda: agent.wait_for_system_ready(timeout=10, poll_interval=0.2), check=lambda v: need(v is True, 'not ready'))

    docker = c.call(
        'agent.create_docker_container',
        lambda: agent.create_docker_container(lookup, params={}, envs={'A': '1'}, labels=['contract']),
        check=has_id,
    )
    docker_id = str(docker['id']) if docker else 'missing'
    c.call('agent.list_docker_containers', lambda: agent.list_docker_containers(), check=is_array)
    c.call('agent.get_docker_container', lambda: agent.get_docker_container(docker_id), check=has_id)
    c.call('agent.stop_docker_container', lambda: agent.stop_docker_container(docker_id))
    c.call('agent.start_docker_container', lambda: agent.start_docker_container(docker_id))
    c.call('agent.delete_docker_container', lambda: agent.delete_docker_container(docker_id))

    build = c.call(
        'agent.create_container (wait=False)',
        lambda: agent.create_container(lookup, params={'a': 1}, labels=['contract'], wait=False),
        check=lambda v: need(isinstance(v, dict) and v.get('build_id'), f'no build_id: {short(v, 120)}'),
    )
    build_id = build['build_id'] if build else 'missing'
    c.call('agent.get_build_status', lambda: agent.get_build_status(build_id), check=lambda v: need(v.get('status'), short(v, 120)))
    info = c.call('agent.wait_for_build', lambda: agent.wait_for_build(build_id, timeout=15, poll_interval=0.2), check=has_id)
    containers = c.call('agent.list_containers', lambda: agent.list_containers(), check=is_page)
    container_id = (info or {}).get('id') or first(containers, 'id') or 0
    c.call('agent.list_containers (list_all)', lambda: list(agent.list_containers(list_all=True)[0]))
    c.call('agent.get_container', lambda: agent.get_container(container_id), check=has_id)
    c.call('agent.update_container', lambda: agent.update_container(container_id, status='stopped'), check=lambda v: need(v.get('status') == 'stopped', short(v, 120)))
    c.call('agent.delete_container', lambda: agent.delete_container(container_id))
    c.call('agent.delete_plugin_release', lambda: agent.delete_plugin_release(lookup))
    c.call('agent.get_plugin_release (deleted -> NotFoundError)', lambda: agent.get_plugin_release(lookup), expect=NotFoundError)


# --------------------------------------------------------------------------------------------
# Faults armed through the control plane
# --------------------------------------------------------------------------------------------


def arm(facts: dict, **fault: Any) -> None:
    fault.setdefault('times', 1)
    stored = control(facts, 'POST', 'faults', fault)
    need(isinstance(stored, dict), f'arming answered {short(stored, 120)}')


def faults(c: Contract, backend: BackendClient, facts: dict, ctx: dict) -> None:
    def retry_after_503() -> Any:
        arm(facts, action='status', method='GET', path='/serve_applications/', status=503, retry_after='1', body={'detail': 'busy'})
        started = time.monotonic()
        page = backend.list_serve_applications()
        waited = time.monotonic() - started
        need(waited >= 0.9, f'answered after {waited:.2f}s: Retry-After: 1 was not honoured (or the fault not hit)')
        fault_consumed(facts, '/serve_applications/')
        return page

    c.call('fault 503 + Retry-After (retried through): backend.list_serve_applications', retry_after_503, check=is_page)

    def armed_404() -> Any:
        arm(facts, action='status', method='GET', path=f'/plugins/{ctx.get("plugin_id", 0)}/', status=404, body={'detail': 'Not found.'})
        return backend.get_plugin(ctx.get('plugin_id', 0))

    c.call('fault 404: backend.get_plugin', armed_404, expect=NotFoundError)

    errors = {'name': ['This field is required.'], 'category': ['"x" is not a valid choice.']}

    def armed_400() -> Any:
        arm(facts, action='status', method='POST', path='/plugins/', status=400, body=errors)
        return backend.create_plugin({'code': 'x', 'category': 'x'})

    c.call(
        'fault 400 with field errors: backend.create_plugin',
        armed_400,
        expect=ValidationError,
        check_error=lambda e: need(e.detail == errors, f'detail {short(e.detail, 160)}'),
    )

    def drop_get() -> Any:
        arm(facts, action='drop_before_read', method='GET', path=f'/storages/{ctx.get("storage_id", 1)}/')
        storage = backend.get_storage(ctx.get('storage_id', 1))
        fault_consumed(facts, f'/storages/{ctx.get("storage_id", 1)}/')
        return storage

    c.call('fault dropped connection on a GET (retried through): backend.get_storage', drop_get, check=model(Storage))

    def drop_post() -> Any:
        arm(facts, action='drop_after_read', method='POST', path='/logs/')
        return backend.create_logs({'message': 'lost answer', 'level': 'info'})

    c.call(
        'fault dropped connection on a POST (not replayed): backend.create_logs',
        drop_post,
        expect=ClientResponseIncompleteError,
        check_error=lambda e: fault_consumed(facts, '/logs/'),
    )

    # The tenant requirement, switched on for the rest of this block.
    url, token = facts['backend_url'], facts['access_token']

    def tenant(value: Any) -> None:
        answer = control(facts, 'PUT', 'tenant', {'tenant': value})
        need(isinstance(answer, dict) and answer.get('tenant') == value, f'tenant answer {short(answer, 80)}')

    switched: list[BaseException] = []
    try:
        tenant('acme')
    except (ControlError, Unaccepted) as e:
        switched.append(e)

    def with_tenant(fn: Callable[[], Any]) -> Callable[[], Any]:
        def run() -> Any:
            need(not switched, f'the tenant requirement is not on: {switched[0] if switched else ""}')
            return fn()

        return run

    agent_url, agent_token = facts['agent_url'], facts['agent_token']
    c.call(
        'tenant acme, client tenant other: backend.list_jobs',
        with_tenant(lambda: ObservedBackend(url, access_token=token, tenant='other').list_jobs({'page_size': 1})),
        expect=AuthorizationError,
    )
    c.call(
        'tenant acme, client tenant acme: backend.list_jobs',
        with_tenant(lambda: ObservedBackend(url, access_token=token, tenant='acme').list_jobs({'page_size': 1})),
        check=is_page,
    )
    c.call(
        'tenant acme, client tenant other: agent.list_jobs',
        with_tenant(lambda: ObservedAgent(agent_url, agent_token, tenant='other').list_jobs()),
        expect=AuthorizationError,
    )
    c.call(
        'tenant acme, client tenant acme: agent.list_jobs',
        with_tenant(lambda: ObservedAgent(agent_url, agent_token, tenant='acme').list_jobs()),
        check=is_array,
    )
    try:
        tenant(None)
    except (ControlError, Unaccepted) as e:
        print(f'note: could not switch the tenant requirement off: {e}', flush=True)


# --------------------------------------------------------------------------------------------


def read_facts(arg: str) -> dict:
    if arg == '-':
        text = sys.stdin.readline()
    elif arg.lstrip().startswith('{'):
        text = arg
    else:
        text = Path(arg).read_text()
    facts = json.loads(text)
    for key in ('backend_url', 'agent_url', 'access_token', 'agent_token'):
        if not facts.get(key):
            raise SystemExit(f'contract.py: the start-up facts lack {key!r}')
    return facts


def main(argv: list[str]) -> int:
    if len(argv) != 2 or argv[1] in ('-h', '--help'):
        print(__doc__.strip())
        return 2
    facts = read_facts(argv[1])
    backend = ObservedBackend(facts['backend_url'], access_token=facts['access_token'])
    agent = ObservedAgent(facts['agent_url'], facts['agent_token'])
    c = Contract()
    ctx: dict[str, Any] = {}
    with tempfile.TemporaryDirectory(prefix='synapse-contract-') as tmpdir:
        tmp = Path(tmpdir)
        integration(c, backend, facts, tmp, ctx)
        data_collection(c, backend, tmp, ctx)
        # The annotation and HITL calls run on a project of their own, with its own task tags.
        seeded = control(
            facts,
            'POST',
            'seed',
            {'projects': [{'title': 'Contract project', 'data_collection': ctx['collection_id'], 'tags': ['contract-a', 'contract-b']}]},
        )
        ctx['project_id'] = seeded['project_ids'][0]
        annotation(c, backend, facts, tmp, ctx)
        hitl(c, backend, ctx)
        ml(c, backend, tmp, ctx)
        bulk_upload(c, backend, tmp)
        agent_flow(c, agent, backend, ctx)
        faults(c, backend, facts, ctx)
    return 1 if c.summary() > 0 else 0


if __name__ == '__main__':
    sys.exit(main(sys.argv))
