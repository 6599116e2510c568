"""A small inventory module: the sample workspace for `frugal-lsp demo`."""

from __future__ import annotations

import csv
import json
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

DEFAULT_CURRENCY = "EUR"
CSV_FIELDS = ("sku", "name", "price", "quantity", "tags")


def parse_tags(raw: str) -> list[str]:
    """Tags from a CSV cell: separated by semicolons, trimmed, lower-case, no blanks."""
    return [tag.strip().lower() for tag in raw.split(";") if tag.strip()]


def format_price(amount: float, currency: str = DEFAULT_CURRENCY) -> str:
    return f"{amount:,.2f} {currency}"


@dataclass
class Item:
    sku: str
    name: str
    price: float
    quantity: int = 0
    tags: list[str] = field(default_factory=list)


class Inventory:
    """Items by SKU, with stock levels."""

    def __init__(self) -> None:
        self.items: dict[str, Item] = {}

    def add(self, item: Item) -> None:
        if item.sku in self.items:
            raise ValueError(f"duplicate SKU {item.sku}")
        self.items[item.sku] = item

    def restock(self, sku: str, amount: int) -> int:
        item = self.items[sku]
        item.quantity += amount
        return item.quantity

    def total_value(self) -> float:
        return sum(i.price * i.quantity for i in self.items.values())

    def by_tag(self) -> Counter[str]:
        counts: Counter[str] = Counter()
        for item in self.items.values():
            counts.update(item.tags)
        return counts

    def load_csv(self, path: Path) -> int:
        """Add every row of a CSV file with the columns of CSV_FIELDS; returns how many."""
        with path.open(newline="", encoding="utf-8") as handle:
            rows = list(csv.DictReader(handle))
        for row in rows:
            self.add(
                Item(
                    sku=row["sku"],
                    name=row["name"],
                    price=float(row["price"]),
                    quantity=int(row["quantity"]),
                    tags=parse_tags(row.get("tags", "")),
                )
            )
        return len(rows)

    def save_json(self, path: Path) -> None:
        data = [
            {"sku": i.sku, "name": i.name, "price": i.price, "quantity": i.quantity, "tags": i.tags}
            for i in self.items.values()
        ]
        path.write_text(json.dumps(data, indent=2), encoding="utf-8")

    def report(self) -> str:
        lines = [
            f"{i.sku:<8} {i.name:<24} {i.quantity:>5} {format_price(i.price)}"
            for i in self.items.values()
        ]
        lines.append(f"total value: {format_price(self.total_value())}")
        return "\n".join(lines)
