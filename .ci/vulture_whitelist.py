# Names only frameworks use (click commands, pydantic config and validators, httpx.Auth,
# http.server hooks, fields read by Jinja templates): vulture cannot see those uses.
# Regenerate after reviewing: vulture checker --min-confidence 60 --make-whitelist
check_command  # unused function (checker/cli/__init__.py:161)
plan_command  # unused function (checker/cli/__init__.py:249)
validate_command  # unused function (checker/cli/__init__.py:272)
schema_command  # unused function (checker/cli/__init__.py:317)
emulator_command  # unused function (checker/cli/__init__.py:326)
_.convert  # unused method (checker/cli/params.py:31)
model_config  # unused variable (checker/codearts/client.py:45)
model_config  # unused variable (checker/codearts/client.py:55)
requires_request_body  # unused variable (checker/codearts/signing.py:125)
_.auth_flow  # unused method (checker/codearts/signing.py:161)
_.auth_flow  # unused method (checker/codearts/signing.py:175)
_.nullable_schema  # unused method (checker/diagnostics/schema.py:36)
protocol_version  # unused variable (checker/emulator/server.py:92)
server_version  # unused variable (checker/emulator/server.py:93)
_.close_connection  # unused attribute (checker/emulator/server.py:103)
do_POST  # unused variable (checker/emulator/server.py:126)
do_GET  # unused variable (checker/emulator/server.py:127)
do_PUT  # unused variable (checker/emulator/server.py:128)
do_DELETE  # unused variable (checker/emulator/server.py:129)
_.log_message  # unused method (checker/emulator/server.py:131)
_.daemon_threads  # unused attribute (checker/emulator/server.py:150)
model_config  # unused variable (checker/emulator/world.py:87)
model_post_init  # unused function (checker/gate/checks.py:52)
check_names  # unused variable (checker/gate/planner.py:24)
_.unique_runs  # unused property (checker/gate/planner.py:62)
_.request_count  # unused property (checker/gate/planner.py:66)
format_version  # unused variable (checker/gate/results.py:92)
checker_version  # unused variable (checker/gate/results.py:93)
verdict  # unused variable (checker/gate/results.py:98)
model_config  # unused variable (checker/gate/types.py:22)
model_config  # unused variable (checker/manifest/models.py:47)
equals  # unused variable (checker/manifest/models.py:52)
contains  # unused variable (checker/manifest/models.py:55)
_._exactly_one  # unused method (checker/manifest/models.py:64)
model_config  # unused variable (checker/manifest/models.py:77)
model_config  # unused variable (checker/manifest/models.py:101)
model_config  # unused variable (checker/manifest/models.py:124)
model_config  # unused variable (checker/manifest/models.py:145)
model_config  # unused variable (checker/manifest/models.py:160)
model_config  # unused variable (checker/manifest/models.py:191)
model_config  # unused variable (checker/manifest/runs.py:23)
model_config  # unused variable (checker/manifest/runs.py:32)
_.log_errors  # an RE2 option (checker/gate/patterns.py)
decided_at  # a report field, written to JSON (checker/gate/results.py)
_.y  # read by the HTML template (checker/reports/html.py)
_.colour  # read by the HTML template
_.height  # read by the HTML template
version  # the manifest and world files' version field, read by pydantic
READ_VARIABLES  # the test isolation is derived from it (tests/conftest.py)
VARIABLE_PREFIXES  # the test isolation is derived from it (tests/conftest.py)
intercepted_binops  # jinja2 reads it
_.address_family  # socketserver reads it when it creates the socket
_.git_type  # a source's field, sent to RunPipeline through model_dump
_.codehub_id  # idem
_.endpoint_id  # idem
_.commit  # start.commit, read by getattr with the other refs
_._one_pipeline  # pydantic validators
_._no_dot_dot
_._one_ref
_.x  # timeline positions, read by the HTML template
init_command  # a click command
_.expectation  # plan document fields: serialised, never read in Python
_.expectation_text
_.run_status
_.run_detail
_.requests
_.named_runs
_.log_pages
_.x_project_id
_.requests_per_poll
