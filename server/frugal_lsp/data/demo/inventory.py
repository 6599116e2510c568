"""A small inventory module: the sample workspace for `frugal-lsp demo`."""

from __future__ import annotations

from dataclasses import dataclass, field

DEFAULT_CURRENCY = "EUR"


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
