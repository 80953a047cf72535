"""Sample pipelines package, laid out like driftline.pipelines."""
