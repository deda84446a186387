"""Event writers for `dyad code`: JSONL (the stable contract), CSV and Parquet."""

from __future__ import annotations

import csv
import json
from collections.abc import Iterable
from typing import IO, Any

from dyad.errors import UsageError
from dyad.records import Event, arrow_schema, flat_row

OUTPUT_FORMATS = ("jsonl", "csv", "parquet")


class EventWriter:
    """Writes events as they come; ``close()`` finishes the file (Parquet needs it)."""

    def __init__(self, fmt: str, stream: IO[Any]) -> None:
        if fmt not in OUTPUT_FORMATS:
            raise UsageError(
                f"unknown output format {fmt!r}; use one of {', '.join(OUTPUT_FORMATS)}"
            )
        self.fmt = fmt
        self.stream = stream
        self.count = 0
        self._csv: Any = None
        self._rows: list[dict[str, Any]] = []
        self._parquet: Any = None

    def write(self, events: Iterable[Event]) -> None:
        for e in events:
            self.count += 1
            if self.fmt == "jsonl":
                self.stream.write(json.dumps(e.as_dict(), ensure_ascii=False) + "\n")
            elif self.fmt == "csv":
                row = flat_row(e)
                if self._csv is None:
                    self._csv = csv.DictWriter(self.stream, fieldnames=list(row))
                    self._csv.writeheader()
                self._csv.writerow(row)
            else:
                self._rows.append(flat_row(e))
                if len(self._rows) >= 10_000:
                    self._flush_parquet()

    def _flush_parquet(self) -> None:
        import pyarrow as pa
        import pyarrow.parquet as pq

        schema = arrow_schema()
        if self._parquet is None:
            self._parquet = pq.ParquetWriter(self.stream, schema)
        self._parquet.write_table(pa.Table.from_pylist(self._rows, schema=schema))
        self._rows = []

    def close(self) -> None:
        if self.fmt == "parquet":
            self._flush_parquet()
            self._parquet.close()
        elif self.fmt == "csv" and self._csv is None:
            # no events: still write the header so the file is a valid empty table
            csv.writer(self.stream).writerow(arrow_schema().names)
        self.stream.flush()
