"""KFP components: thin wrappers over the driftline library.

Every component runs in `IMAGE` with `install_kfp_package=False`; its body
imports driftline and calls one glue function of `driftline.platforms.kfp.steps`.
`load(name)` gives a shipped component from its compiled YAML, in the same image.

The components are imported here, so `from driftline.components import check_drift`
gives the component whatever was imported before (a lazy module `__getattr__` would return the
*module* once `driftline.components.check_drift` had been imported directly).
Importing them costs what importing kfp costs, which any use of them needs anyway.
"""

from driftline.components.check_drift import check_drift
from driftline.components.compute_performance import compute_performance
from driftline.components.deploy_model import deploy_model
from driftline.components.image import IMAGE
from driftline.components.load_window import load_window
from driftline.components.loader import load
from driftline.components.merge_performance import merge_performance
from driftline.components.merge_profiles import merge_profiles
from driftline.components.plan_partitions import plan_partitions
from driftline.components.profile_baseline import profile_baseline
from driftline.components.profile_partition import profile_partition
from driftline.components.profile_window import profile_window
from driftline.components.publish_metrics import publish_metrics
from driftline.components.record_baseline import record_baseline
from driftline.components.record_monitoring_result import record_monitoring_result
from driftline.components.render_evidently_report import render_evidently_report
from driftline.components.render_history import render_history
from driftline.components.resolve_baseline import resolve_baseline
from driftline.components.schedule_monitoring import schedule_monitoring
from driftline.components.score_partition import score_partition
from driftline.components.send_notification import send_notification
from driftline.components.setup_monitoring import setup_monitoring
from driftline.components.start_retraining import start_retraining
from driftline.components.validate_data import validate_data

__all__ = [
    "IMAGE",
    "check_drift",
    "compute_performance",
    "deploy_model",
    "load",
    "load_window",
    "merge_performance",
    "merge_profiles",
    "plan_partitions",
    "profile_baseline",
    "profile_partition",
    "profile_window",
    "publish_metrics",
    "record_baseline",
    "record_monitoring_result",
    "render_evidently_report",
    "render_history",
    "resolve_baseline",
    "schedule_monitoring",
    "score_partition",
    "send_notification",
    "setup_monitoring",
    "start_retraining",
    "validate_data",
]
