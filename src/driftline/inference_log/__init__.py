"""KServe inference logs as data: what the logger sends and how it becomes rows.

Shared by the readers (`driftline.io.kserve_capture`, the sink's windows) and the service
that receives the logger's events (`driftline.sink`), so a reader never depends on the
service. Modules: `events` (CloudEvents -> `LoggedEvent`), `payload` (v1/v2 bodies to
rows), `pairing` (a request's rows next to its response's), `table` (rows -> Arrow, the
`model=/date=/hour=` layout).
"""

from driftline.inference_log.events import LoggedEvent, parse_http_event
from driftline.inference_log.payload import FeatureSchema, load_schema

__all__ = ["FeatureSchema", "LoggedEvent", "load_schema", "parse_http_event"]
