"""``scenaria.data.filter``: the filter operators, kept at their public path.

The filtering itself is part of the data node base class (``scenaria.entities.data_filter``).
"""

from scenaria.entities.data_filter import JoinOperator, Operator, filter_data, get_item, polars_expression

__all__ = ["JoinOperator", "Operator", "filter_data", "get_item", "polars_expression"]
