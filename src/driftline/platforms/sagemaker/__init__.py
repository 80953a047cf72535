"""SageMaker: Model Monitor formats both ways, the monitoring container, and endpoint setup.

Modules: `statistics` (statistics.json <-> profile), `constraints` (constraints.json <->
constraints and drift settings), `violations` (constraint_violations.json), `contract`
(the container's environment), `container` (the monitoring job), `cloudwatch` (metric lines,
PutMetricData), `setup` (Data Capture, job definition and schedule through boto3),
`registry` (Model Registry events), `baseline` (the CLI's file conversions), `files`.
Data Capture itself is read by `driftline.io.sagemaker_capture` (format `sagemaker-capture`).
"""
