"""Results as one Markdown table: a row per model, a column per measure."""

import math


def _cell(value, digits):
    if isinstance(value, float):
        if math.isnan(value):
            return "—"
        return f"{value:.{digits}g}"
    return "—" if value is None else str(value)


def markdown_table(rows, columns, digits=4):
    """`rows`: list of dicts; `columns`: list of `(header, key)`. Missing keys print "—"."""
    lines = ["| " + " | ".join(header for header, _ in columns) + " |",
             "|" + "---|" * len(columns)]
    for row in rows:
        lines.append("| " + " | ".join(_cell(row.get(key), digits) for _, key in columns) + " |")
    return "\n".join(lines)
