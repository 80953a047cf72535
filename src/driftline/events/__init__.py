"""The one event receiver (`driftline events serve`): MLflow registry webhooks and SageMaker
Model Registry events (EventBridge) in, monitoring set up or stopped. Deliveries are verified,
journaled, answered at once, and worked on by one background worker that survives restarts."""
