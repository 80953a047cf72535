"""Sample pipeline: import a table by URI and count its rows."""

from kfp import dsl

from tests.pipelines.sample.components.count_rows import count_rows


@dsl.pipeline(name="count-rows-pipeline", description="Count the rows of a table.")
def count_rows_pipeline(table_uri: str = "gs://bucket/table.csv", table_format: str = "csv") -> int:
    """Import `table_uri` as a Dataset and count its rows."""
    table = dsl.importer(artifact_uri=table_uri, artifact_class=dsl.Dataset, reimport=False)
    return count_rows(table=table.output, table_format=table_format).outputs["Output"]
