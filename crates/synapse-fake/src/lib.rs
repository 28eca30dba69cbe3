//! An embedded fake Synapse backend and agent for tests and demos: real HTTP on 127.0.0.1
//! and an ephemeral port (or any address, [`FakeConfig::bind`]), in-memory state, started from
//! Rust in one call — or as the `synapse-fake` program (`synapse-fake --help`).
//!
//! ```no_run
//! # async fn demo() -> std::io::Result<()> {
//! let fake = synapse_fake::FakeServer::start().await?;
//! println!("backend at {}, agent at {}", fake.url(), fake.agent_url());
//! // BackendClient::builder(fake.url()).access_token(fake.access_token())...
//! # Ok(()) }
//! ```
//!
//! Behaviour follows Django REST Framework: page-number pagination (`page`, `page_size`) with
//! absolute `next` / `previous` links, 404 with `{"detail": …}`, 400 with field errors, 401
//! without a token, 403 for a wrong tenant. Jobs move from `PENDING` through `RUNNING` to
//! `SUCCEEDED` (or `FAILED` when run with `"fail": true`) and write console lines as they go.
//! Faults can be injected per request ([`Fault`]); they apply before anything below.
//! Everything a test does from Rust ([`FakeServer::inject`], [`FakeServer::seed`],
//! [`FakeServer::set_tenant`], [`FakeServer::calls`]) can also be done over HTTP through the
//! control plane (below), from a script, another language or a service's own tests.
//!
//! # Routes
//!
//! The backend, at [`FakeServer::url`], with `Synapse-Access-Token: Token <access token>` (or
//! `Authorization: Token …`, or the agent token in `SYNAPSE-Agent`):
//!
//! | method | path | |
//! |---|---|---|
//! | `GET` | `agents/` | agents (`status`); two exist from the start; a page, or a bare array ([`FakeConfig::bare_array_lists`]) |
//! | `POST` | `agents/{token}/connect/` | connects the agent with this token |
//! | `POST` | `plugins/` | creates a plugin (`code`, `name`, `category`) |
//! | `GET` | `plugins/{id}/` | a plugin |
//! | `PUT` | `plugins/{id}/` | updates a plugin (its `id` and `code` stay) |
//! | `POST` | `plugins/{plugin}/run/` | runs an action of the plugin (id or code) on its latest release or the given `version`: starts a job |
//! | `GET` | `plugin_releases/` | releases (`plugin`, `ordering=-created`, `expand=plugin`) |
//! | `POST` | `plugin_releases/` | creates a release: JSON, or multipart with the archive as `file`; a second release of the same plugin and version is a 400 saying it "already exists" |
//! | `GET` | `plugin_releases/{lookup}/` | a release by id or `code@version` (`expand=plugin`) |
//! | `GET` | `jobs/` | jobs (`status`, in any case and the documentation's words; `action`, `plugin_release`, `plugin` (id or code), `agent`, `created_after`, `created_before`, `ordering` (`created`, `-created`); a bad value is a 400 naming the filter) |
//! | `GET` | `jobs/{id}/` | a job |
//! | `PATCH` | `jobs/{id}/` | updates a job's `status`, `progress_record`, `metrics_record`, `console_logs`, `result`, `meta`; all or nothing |
//! | `GET` | `jobs/{id}/console_logs/` | the console lines written so far, as an array |
//! | `GET` | `jobs/{id}/tail_console_logs/` | the live tail: server-sent events (`connected`, `log` with the line in `data`, plain or nested as [`FakeConfig::tail_log_shape`] says, `complete`) until the job ends |
//! | `POST` | `logs/` | creates log entries (one, or a list) |
//! | `GET` | `serve_applications/` | serve applications (`status`) |
//! | `POST` | `serve_applications/` | creates a serve application |
//! | `GET` | `storages/` | storages (`category`, `with_configuration`); one exists from the start; a page, or a bare array ([`FakeConfig::bare_array_lists`]) |
//! | `POST` | `storages/` | creates a storage |
//! | `GET` | `storages/{id}/` | a storage (`with_configuration`) |
//! | `PUT` | `chunked_upload/` | the first chunk of a chunked upload (multipart `file`, `Content-Range`) |
//! | `PUT` | `chunked_upload/{id}/` | the next chunk |
//! | `GET` | `chunked_upload/{id}/` | the upload's state |
//! | `POST` | `chunked_upload/{id}/` | completes the upload, checking its `md5` |
//! | `GET` | `data_collections/` | data collections; one image collection exists from the start (`expand=file_specifications`) |
//! | `GET` | `data_collections/{id}/` | a data collection (`expand=file_specifications`) |
//! | `POST` | `data_files/` | creates a data file: multipart `file`, or `{"chunked_upload": id}` of a finished upload; the same content gives the same data file |
//! | `POST` | `data_files/verify_checksums/` | which of the given checksums the server knows |
//! | `GET` | `data_units/` | data units (`data_collection`) |
//! | `POST` | `data_units/` | creates one data unit or a list (all or nothing) |
//! | `GET` | `data_units/{id}/` | a data unit (`expand=files`) |
//! | `POST` | `data_files/presigned_upload/upload/` | reserves presigned uploads (`files`: `filename`, `size`, `content_type`; `expiration`): per file a storage `file_key` and a presigned `PUT` URL, or a `multipart` upload when larger than [`FakeConfig::presigned_part_size`] |
//! | `POST` | `data_files/presigned_upload/confirm_upload/` | registers stored files as data files (`file_key`, SHA-1 `checksum`, `size`, `multipart` parts and `ETag`s): a result per file, `success` or its `error` (never reserved, not in storage, wrong size or checksum) |
//! | `GET` | `models/` | models (`is_released`, `project`); one released model exists from the start |
//! | `POST` | `models/` | creates a model (`name`, `plugin` code, `version`, `checkpoint`, `chunked_upload`, `configuration`, `description`); the upload's file becomes the model's `file` URL |
//! | `GET` | `models/{id}/` | a model (`expand=metrics`); `file` is a presigned URL of the object store |
//! | `GET` | `ground_truths/` | ground truths with their `files` (`ground_truth_dataset_versions`, repeated; `ground_truth_dataset`; `category`); 135 exist from the start |
//! | `GET` | `sdk/ground_truth_events/` | ground-truth events (the same filters; `fields`, `expand=data`) |
//! | `GET` | `sdk/ground_truth_events/data/` | ground-truth events as `{id, data}` (the same filters) |
//! | `GET` | `sdk/ground_truth_events/files/` | ground-truth events with their `files` as a list (the same filters) |
//! | `GET` | `ground_truth_dataset_versions/` | ground-truth dataset versions (`ground_truth_dataset`, `is_archived`); three exist from the start |
//! | `GET` | `ground_truth_dataset_versions/{id}/` | a ground-truth dataset version |
//! | `GET` | `projects/{id}/` | a project (`task_count`); two image projects on the data collection exist from the start |
//! | `POST` | `tasks/` | creates tasks: `{"project", "data": [{"data_unit", "meta"}, …]}`, all or nothing, each with an assignment |
//! | `POST` | `tasks/set_tags/` | adds or removes task tags (`ids`, `tags`, `action`; `project`) |
//! | `GET` | `tasks/{id}/` | a task (`fields`, `expand=data_unit`) |
//! | `PUT` | `tasks/{id}/annotate_task_data/` | stores a task's annotation `{"action", "data"}` (`schema=dm_schema_v1\|any`); moves its assignment on |
//! | `GET` | `sdk/tasks/` | tasks (`project`, `tags`, `fields`, `expand=data_unit`) |
//! | `GET` | `sdk/tasks/data/` | tasks as `{id, data}` (`project`, `tags`) |
//! | `GET` | `sdk/tasks/files/` | tasks with their data unit's `files` as a list, or keyed by name ([`FakeConfig::files_by_name`]) (`project`, `tags`) |
//! | `GET` | `task_tags/` | task tags (`project`, `category`); each seeded project has some |
//! | `GET` | `task_tags/{id}/` | a task tag |
//! | `POST` | `assignments/set_tags/` | adds or removes tags of assignments (`ids`, `tags`, `action`; `project`) |
//! | `GET` | `assignments/{id}/` | an assignment |
//! | `GET` | `sdk/assignments/` | assignments (`project`, `tasks`, `tags`, `status_label`) |
//! | `GET` | `sdk/assignments/data/` | assignments as `{id, data}` (same filters) |
//! | `GET` | `sdk/assignments/files/` | assignments with their task's files, shaped as those of `sdk/tasks/files/` (same filters) |
//! | `PUT` | `bench/raw_upload/` | not a platform route: the body's `size` and `md5`, for the benchmarks' plain upload |
//!
//! Every backend path ends in `/`. Without a trailing slash it answers as Django's
//! `APPEND_SLASH` does: when the path with a `/` appended is a route above (for any method),
//! `301 Moved Permanently` with `Location` set to that path, query kept (`GET /jobs?page=2` →
//! `Location: /jobs/?page=2`), whatever the request's method and before any credential check;
//! otherwise the answer to any unknown path: 404 `{"detail": "Not found."}` (401 first
//! without a valid token).
//!
//! The object store behind presigned URLs, under `/_storage/<bucket>/<key>` on the same
//! address, takes **no** Synapse credentials (a request carrying `Authorization`,
//! `Synapse-Access-Token`, `Synapse-Tenant` or `SYNAPSE-Agent` is refused): each request is
//! authorised by its presigned query (`X-Amz-Date`, `X-Amz-Expires`, `X-Amz-Signature`, signed
//! over the method and the key), as S3 does. A presigned `PUT` stores an object (with
//! `partNumber` and `uploadId`, a part of a multipart upload, answered with its `ETag`); a
//! presigned `GET` reads one back (model files, data files, ground-truth files). Errors are
//! S3's XML bodies (`<Error><Code>SignatureDoesNotMatch</Code>…`). The content of objects up
//! to 32 MiB is kept (larger ones are hashed only and cannot be read back).
//!
//! The agent, under `agent/` ([`FakeServer::agent_url`]), with the bare agent token in
//! `Authorization`:
//!
//! | method | path | |
//! |---|---|---|
//! | `GET` | `agent/health/` | `{"status": "ok"}` |
//! | `GET` | `agent/plugin_releases/` | the releases cached on the agent (`plugin`) |
//! | `POST` | `agent/plugin_releases/` | caches a release of the fake backend (`plugin`, `version`) |
//! | `POST` | `agent/plugin_releases/run_debug/` | a debug run: starts a job |
//! | `GET` | `agent/plugin_releases/{lookup}` | a cached release by id or `code@version` |
//! | `DELETE` | `agent/plugin_releases/{lookup}` | removes a cached release |
//! | `POST` | `agent/plugin_releases/{lookup}/run/` | runs an action of a cached release: starts a job |
//! | `GET` | `agent/jobs/` | every job as Ray reports it, as an array |
//! | `GET` | `agent/jobs/{id}/` | a job as Ray reports it |
//! | `GET` | `agent/jobs/{id}/logs/` | the console so far, as one string |
//! | `GET` | `agent/jobs/{id}/logs/stream/` | the live tail: each console line as one server-sent event `{"type": "log", "message"}`, then `complete`; no comments |
//! | `POST` | `agent/jobs/{id}/stop/` | stops a running job: `STOPPED`, its console and tail end |
//! | `GET` | `agent/gpu_status/` | every GPU of the cluster, by node |
//! | `GET` | `agent/nodes/` | the Ray nodes (a CPU head, a worker with two GPUs), as an array |
//! | `GET` | `agent/nodes/{id}/` | a Ray node |
//! | `GET` | `agent/tasks/` | the Ray tasks (each job's driver task), as an array |
//! | `GET` | `agent/tasks/{id}/` | a Ray task |
//! | `GET` | `agent/serve_applications/` | the Ray Serve applications (a run of a release action whose `method` is `serve` deploys `code@version`), as an array |
//! | `GET` | `agent/serve_applications/{name}/` | a Serve application: `DEPLOYING`, then `RUNNING` |
//! | `DELETE` | `agent/serve_applications/{name}/` | removes a Serve application |
//! | `GET` | `agent/resources/cluster/` | the cluster snapshot (`use_cache`: the last one while younger than the policy's TTL) |
//! | `POST` | `agent/resources/feasibility/` | whether a workload fits now: `allowed`, `reasons`, `messages` |
//! | `GET` | `agent/resources/policy/` | the runtime policy |
//! | `PATCH` | `agent/resources/policy/` | updates the runtime policy (unknown keys ignored); the effective policy |
//! | `GET` | `agent/system/status/` | the update or restart under way, and the image tags |
//! | `GET` | `agent/system/compose-config/` | the compose working directory and files, GPU mode |
//! | `POST` | `agent/system/update/` | pulls the tags given (or the defaults) and recreates the containers; 409 while one runs |
//! | `POST` | `agent/system/restart/` | recreates the containers; 409 while one runs |
//! | `GET` | `agent/containers/` | container records (`status`) |
//! | `POST` | `agent/containers/` | creates a record from a release (JSON) or a plugin archive (multipart `file`): starts its build |
//! | `GET` | `agent/containers/{id}` | a container record |
//! | `PATCH` | `agent/containers/{id}` | sets its `status` (`running`, `stopped`) |
//! | `DELETE` | `agent/containers/{id}` | removes a record and its Docker container |
//! | `GET` | `agent/containers/docker/` | the Docker containers, as an array |
//! | `POST` | `agent/containers/docker/` | runs a Docker container of a release |
//! | `GET` | `agent/containers/docker/{id}` | a Docker container |
//! | `DELETE` | `agent/containers/docker/{id}` | stops and removes a Docker container |
//! | `POST` | `agent/containers/docker/{id}/stop/` | stops a Docker container |
//! | `POST` | `agent/containers/docker/{id}/start/` | starts it again |
//! | `GET` | `agent/builds/{id}/` | a container build: `pending`, `building`, then `completed` with the record as `result` (or `failed` with `error`) |
//!
//! `GET agent/jobs/{id}/logs/` with `Upgrade: websocket` opens the live tail as a WebSocket
//! (RFC 6455): each console line as a text message `{"type": "log", "message"}`, then
//! `{"type": "complete", …}` and a close ([`FakeConfig::agent_websocket`] turns it off).
//!
//! The agent has no redirect: each path is served exactly as listed, trailing slash or not
//! (as the agent API spells it), and any other spelling is 404.
//!
//! Bodies are checked as a DRF serializer checks them: a 400 names every bad field at once
//! (`{"field": ["message"], …}`; a list's errors one object per item), and keys a route does
//! not declare are dropped, never stored or echoed.
//!
//! # The v2 API
//!
//! With the `v2` feature, the backend also speaks v2 under `v2/`, over the same tables as the
//! v1 routes: a job a v1 plugin run starts is read at `v2/jobs/{id}/`, a project seeded
//! through the control plane is listed at `v2/projects/`, a plugin created at `v2/plugins/`
//! runs through v1's `plugins/{plugin}/run/`. Credentials are v2's: the access token bare
//! in `SYNAPSE-ACCESS-TOKEN` (the v1 form `Token <t>` there is a 401), or `Authorization:
//! Token <t>` (or `Bearer <t>`); the tenant in `SYNAPSE-Tenant` raw (`acme`) or as `Token
//! acme`.
//!
//! - Every answer carries a request id (`req_` and twelve hex digits, unique per fake) in
//!   the `X-Request-ID` header and, in the envelope, in `meta.request_id`.
//! - A successful answer is `{"data": …, "meta": {"request_id"}}`, or with
//!   `FakeConfig::v2_shape` set to `V2Shape::Plain` the bare object (both shapes are the
//!   platform's). A delete is 204 without a body; `check_permission` and a join request are
//!   a 200 / 201 without one.
//! - Lists are cursor pages, oldest first: `per_page` (default 50) items after `cursor`; in
//!   the envelope `data` is the items and `meta.pagination` holds `next_cursor`,
//!   `previous_cursor` (bare tokens, `null` at either end) and `per_page`; in the plain
//!   shape `{"next", "previous", "results"}` with `next` and `previous` absolute URLs (the
//!   request's, `cursor` set). A cursor that does not decode is a 404.
//! - Errors are `{"error": {"code", "message", "details"}, "meta": {"request_id"}}`: 400
//!   `VALIDATION_ERROR` with one `{"field", "message"}` detail per problem of every bad
//!   field or filter (`files[1].size` for an item of a list), 401 `NOT_AUTHENTICATED` /
//!   `AUTHENTICATION_FAILED`, 403 `PERMISSION_DENIED`, 404 `NOT_FOUND`, 409 `CONFLICT` (a
//!   plugin code or release version in use, a release a running job uses), 409
//!   `INVALID_STATE` (stopping a job that ended), 400 `INVALID_TRANSITION` (a reported job
//!   status its state does not allow), 400 `BULK_SIZE_EXCEEDED` (more than 1000 job logs),
//!   415 `UNSUPPORTED_MEDIA_TYPE` (a release that is not multipart).
//! - Every write takes `?dry_run=true`: the body is checked as usual, nothing changes, and
//!   the answer is `{"dry_run": true, "action", "target"}`.
//!
//! | method | path | |
//! |---|---|---|
//! | `GET` | `v2/projects/` | projects (`category`, `data_collection`) |
//! | `POST` | `v2/projects/` | creates a project (`title`, `category`, `configuration`; `data_collection`, …) |
//! | `GET` | `v2/projects/default_roles/` | the codes of the roles every project has |
//! | `GET` | `v2/projects/my_join_requests/` | the user's join requests on projects (`status`) |
//! | `GET` | `v2/projects/my_join_requests/{join_request_id}/` | one of them |
//! | `GET` | `v2/projects/{id}/` | a project (`task_count` counted now) |
//! | `PUT` | `v2/projects/{id}/` | updates a project (the create's required fields) |
//! | `PATCH` | `v2/projects/{id}/` | updates some fields of a project |
//! | `DELETE` | `v2/projects/{id}/` | deletes a project with its tasks, assignments, task tags and review tags |
//! | `GET` | `v2/projects/{id}/check_permission/` | 200 without a body (the user owns everything) |
//! | `GET` | `v2/projects/{id}/permissions/` | the user's role and permissions |
//! | `GET` | `v2/projects/{id}/roles/` | the project's roles with their permissions |
//! | `GET` | `v2/projects/{id}/grantable_roles/` | the roles the user may grant |
//! | `POST` | `v2/projects/{id}/invite/` | grants roles (`member_roles`, `group_roles`) |
//! | `GET` | `v2/projects/{id}/join_requests/` | the join requests waiting on the project |
//! | `POST` | `v2/projects/{id}/join_requests/` | asks to join (one waiting request at a time) |
//! | `PATCH` | `v2/projects/{id}/join_requests/` | accepts (with a `role`) or rejects the waiting request |
//! | `GET` | `v2/projects/{id}/my_join_requests/` | the user's join requests on the project |
//! | `GET` | `v2/projects/{project}/tags/` | the project's task tags (`category`) |
//! | `POST` | `v2/projects/{project}/tags/` | creates a task tag (`name`, `category`) |
//! | `GET` | `v2/projects/{project}/tags/{id}/` | a task tag |
//! | `PATCH` | `v2/projects/{project}/tags/{id}/` | updates a task tag (`name`, `description`, `meta`) |
//! | `DELETE` | `v2/projects/{project}/tags/{id}/` | deletes a task tag (and takes it off its tasks) |
//! | `GET` | `v2/projects/{project}/tags/{id}/check_permission/` | 200 without a body |
//! | `GET` | `v2/projects/{project}/tags/{id}/permissions/` | the permissions derived from the project |
//! | `GET` | `v2/projects/{project}/tags/{id}/roles/` | the project's roles |
//! | `GET` | `v2/projects/{project}/review-tags/` | the project's review tags (`name`: a part of it, any case) |
//! | `POST` | `v2/projects/{project}/review-tags/` | creates a review tag (`name`, unique in the project; `background_color`, `description`) |
//! | `GET` | `v2/projects/{project}/review-tags/{id}/check_permission/` | 200 without a body |
//! | `GET` | `v2/projects/{project}/review-tags/{id}/permissions/` | the permissions derived from the project |
//! | `GET` | `v2/projects/{project}/review-tags/{id}/roles/` | the project's roles |
//! | `GET` | `v2/projects/{project}/statistics/{kind}/` | `worker`, `class`, `rejection` or `defect` statistics, computed now (`datetime`) |
//! | `GET` | `v2/tasks/` | tasks (`project`, `has_data`, `is_discarded`, `schema`) |
//! | `POST` | `v2/tasks/` | creates a task (`project`, `data_unit` of the project's collection) with its assignment |
//! | `POST` | `v2/tasks/bulk-fetch/` | tasks by `ids` (at most 200, order kept, unknown ones dropped) with `data` inline or presigned (`response_mode`) and their files |
//! | `POST` | `v2/tasks/bulk-create/` | a task per data unit (`project`, `data_unit_ids`, at most 1000) that has none yet: `created_count`, `skipped_count` |
//! | `GET` | `v2/tasks/{id}/` | a task |
//! | `PUT` | `v2/tasks/{id}/` | updates a task (`project`, `data_unit` required) |
//! | `PATCH` | `v2/tasks/{id}/` | updates some fields of a task |
//! | `DELETE` | `v2/tasks/{id}/` | deletes a task with its assignments |
//! | `PUT` | `v2/tasks/{id}/annotate-task-data/` | stores the task's annotation (`action`, `data`; `schema`) and moves its assignment on |
//! | `GET` | `v2/tasks/{id}/check_permission/` | 200 without a body |
//! | `GET` | `v2/tasks/{id}/permissions/` | the permissions derived from the project |
//! | `GET` | `v2/tasks/{id}/roles/` | the project's roles |
//! | `GET` | `v2/data-collections/` | data collections (`category`) |
//! | `POST` | `v2/data-collections/` | creates a data collection with its `file_specifications` |
//! | `GET` | `v2/data-collections/default_roles/` | the codes of the roles every data collection has |
//! | `GET` | `v2/data-collections/my_join_requests/` | the user's join requests on data collections (`status`) |
//! | `GET` | `v2/data-collections/my_join_requests/{join_request_id}/` | one of them |
//! | `GET` | `v2/data-collections/{id}/` | a data collection (`count_projects` counted now) |
//! | `PUT` | `v2/data-collections/{id}/` | updates a data collection (`name`, `category` required) |
//! | `PATCH` | `v2/data-collections/{id}/` | updates some fields of a data collection |
//! | `DELETE` | `v2/data-collections/{id}/` | deletes a data collection with its units and groups |
//! | `POST` | `v2/data-collections/{id}/upload-urls/` | reserves presigned uploads, as `data_files/presigned_upload/upload/` |
//! | `POST` | `v2/data-collections/{id}/finalize-upload/` | registers stored files as data files, as `data_files/presigned_upload/confirm_upload/` |
//! | `GET` | `v2/data-collections/{id}/check_permission/` | 200 without a body |
//! | `GET` | `v2/data-collections/{id}/permissions/` | the user's role and permissions |
//! | `GET` | `v2/data-collections/{id}/roles/` | the collection's roles |
//! | `GET` | `v2/data-collections/{id}/grantable_roles/` | the roles the user may grant |
//! | `POST` | `v2/data-collections/{id}/invite/` | grants roles |
//! | `GET` | `v2/data-collections/{id}/join_requests/` | the join requests waiting on the collection |
//! | `POST` | `v2/data-collections/{id}/join_requests/` | asks to join |
//! | `PATCH` | `v2/data-collections/{id}/join_requests/` | accepts or rejects the waiting request |
//! | `GET` | `v2/data-collections/{id}/my_join_requests/` | the user's join requests on the collection |
//! | `GET` | `v2/data-collections/{collection}/groups/` | the collection's data groups |
//! | `POST` | `v2/data-collections/{collection}/groups/` | creates a data group (`name`, unique) |
//! | `GET` | `v2/data-collections/{collection}/groups/{id}/` | a data group |
//! | `DELETE` | `v2/data-collections/{collection}/groups/{id}/` | deletes a data group (its units stay, ungrouped) |
//! | `GET` | `v2/data-collections/{collection}/groups/{id}/check_permission/` | 200 without a body |
//! | `GET` | `v2/data-collections/{collection}/groups/{id}/permissions/` | the permissions derived from the collection |
//! | `GET` | `v2/data-collections/{collection}/groups/{id}/roles/` | the collection's roles |
//! | `GET` | `v2/jobs/` | jobs (`status`, `action`) |
//! | `GET` | `v2/jobs/{id}/` | a job, its release embedded |
//! | `PATCH` | `v2/jobs/{id}/` | reports a job's `status` (allowed transitions only), `progress_record`, `metrics_record`, `meta`, `result` |
//! | `POST` | `v2/jobs/{id}/stop/` | stops a job that has not ended |
//! | `POST` | `v2/jobs/{id}/logs/` | a log entry of the job (`event`, `data`, `datetime`; JSON or multipart with a `file`) |
//! | `POST` | `v2/jobs/{id}/logs/bulk/` | log entries of the job (`logs`, at most 1000), all or nothing |
//! | `GET` | `v2/jobs/{id}/console_logs/` | `{"logs": [...]}`, the console lines written so far |
//! | `GET` | `v2/jobs/{id}/tail_console_logs/` | the live tail, as the v1 tail's events; an unknown job gets `connected`, then an `error` event |
//! | `GET` | `v2/job-logs/` | log entries (`job`, `event`, `level`), those posted to v1's `logs/` included |
//! | `GET` | `v2/job-logs/{id}/` | a log entry with its `data` |
//! | `GET` | `v2/plugins/` | plugins (`category`, `is_active`) |
//! | `POST` | `v2/plugins/` | creates a plugin (JSON or multipart with the archive as `file`) and bootstraps its first release |
//! | `GET` | `v2/plugins/{id}/` | a plugin |
//! | `PATCH` | `v2/plugins/{id}/` | updates a plugin's `name`, `description` |
//! | `GET` | `v2/plugin-releases/` | releases (`plugin`, `debug`) |
//! | `POST` | `v2/plugin-releases/` | creates a release: multipart `plugin`, `version`, `sha256`, `file` (the archive, whose SHA-256 it must be) |
//! | `GET` | `v2/plugin-releases/{id}/` | a release, its plugin embedded |
//! | `DELETE` | `v2/plugin-releases/{id}/` | deletes a release no running job uses |
//! | `POST` | `v2/plugin-releases/{id}/release/` | locks the release (`is_released`) |
//!
//! # Control plane
//!
//! Under the reserved prefix `/_fake/` ([`FakeServer::control_url`]), which the SDK never
//! calls: no credentials, never faulted, not in the request log. A trailing slash is optional;
//! another method on a known path is 405, an unknown path 404.
//!
//! - `GET /_fake/` → the start-up facts: `{"backend_url", "agent_url", "control_url",
//!   "access_token", "agent_token", "tenant"}`.
//! - `POST /_fake/faults` arms a fault ([`FakeServer::inject`]'s list) → 201 with the fault as
//!   stored. Body fields: `action` (`status`, `delay`, `drop_before_read`, `drop_after_read`
//!   or `truncate`), `method` (`GET`, …, or null: any), `path` (a substring of the path, or
//!   null: any), `times` (default 1), `status` (default 503), `retry_after` (the header's
//!   value, or null), `body` (the JSON answered; default `{"detail": "injected 503"}` for
//!   status 503), `delay_ms` (required for `delay`). A bad body is a 400 naming every bad
//!   field. `GET /_fake/faults` lists the armed faults (`times`: how many requests each still
//!   applies to); `DELETE /_fake/faults` disarms all (204).
//! - `POST /_fake/seed` ([`FakeServer::seed`]) → 201 `{"job_ids", "log_job_ids",
//!   "plugin_ids", "release_ids", "project_ids"}`. Body, every key optional: `{"jobs": N,
//!   "log_job": LINES, "plugins": [{…a plugin create body…}], "releases": [{"plugin":
//!   "<code>", "version": "1.0.0", "config": {…}}], "projects": [{"title", "data_collection",
//!   "tags": ["<task tag name>", …], …}]}` (a release may name a plugin of the same seed).
//!   Everything is checked first: a 400 names every bad field and nothing is created.
//! - `PUT /_fake/tenant` `{"tenant": "acme"}` (or `null`: any tenant) → 200 `{"tenant": …}`
//!   ([`FakeServer::set_tenant`]); `GET /_fake/tenant` reads it. A request naming another
//!   tenant (`SYNAPSE-Tenant: Token <code>`) then gets 403.
//! - `GET /_fake/calls` → the request log `[{"method": "GET", "path": "/jobs/?page=2"}, …]`
//!   ([`FakeServer::calls`]); `DELETE /_fake/calls` clears it, and with it the counters (204).
//! - `GET /_fake/counters` → `{"GET /jobs/": 3, "GET /jobs/{id}/": 1, …}`: the log counted per
//!   method and route pattern (agent routes as `/agent/…`); a request no route matched counts
//!   under its raw path (`"GET /nowhere/"`).
//!
//! ```sh
//! synapse-fake --bind 127.0.0.1:8787 --json --seed jobs=3 &   # {"backend_url": …, …}
//! curl -X POST http://127.0.0.1:8787/_fake/faults \
//!      -d '{"action": "status", "status": 503, "retry_after": "1", "path": "/jobs/", "times": 2}'
//! curl http://127.0.0.1:8787/_fake/counters
//! ```
//!
//! # The program
//!
//! `synapse-fake` runs a fake until interrupted: `--bind ADDR:PORT` (default `127.0.0.1:0`,
//! a port the system picks), `--access-token T`, `--agent-token T`, `--tenant CODE` (the
//! initial tenant requirement), `--seed KIND=N` (repeatable: `jobs=N`, `log_job=LINES`,
//! `plugins=N` — N plugins `plugin-1` … each with a runnable release `1.0.0`),
//! `--page-delay-ms MS` (every list page that much slower), `--json`,
//! `--help`, `--version`. Once it listens it prints its backend, agent and control URLs and
//! the credentials; with `--json`, one JSON line: `{"backend_url", "agent_url",
//! "control_url", "access_token", "agent_token", "tenant", "job_ids", "log_job_ids",
//! "plugin_ids", "release_ids"}`.

// Handlers return the error *response* itself as `Err`, sent at once; boxing it would only add
// noise to every call site of a test server.
#![allow(clippy::result_large_err)]

mod agent;
mod agent_containers;
mod agent_ray;
mod agent_resources;
mod agent_system;
mod agent_ws;
mod annotation;
mod backend;
mod bulk_upload;
mod control;
mod data_collections;
mod faults;
mod hitl;
mod jobs;
mod ml;
mod multipart;
mod object_store;
mod respond;
mod routes;
mod server;
mod state;
mod tasks;
mod time;
mod uploads;
#[cfg(feature = "v2")]
mod v2;

pub use crate::faults::{Fault, FaultAction};
#[cfg(feature = "v2")]
pub use crate::server::V2Shape;
pub use crate::server::{FakeConfig, FakeServer, RecordedCall, TailLogShape};
/// The HTTP method type of [`Fault::method`] and [`RecordedCall`].
pub use http::Method;
