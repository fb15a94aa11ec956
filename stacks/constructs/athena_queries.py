"""Saved Athena queries over the lake (named queries in the environment's workgroup).

Amounts are summed per currency: the lake keeps each expense's own currency and nothing converts.
Both queries filter on the projected `year` partition so Athena reads only the months asked for.
"""

from __future__ import annotations

from aws_cdk import aws_athena as athena
from constructs import Construct

SPEND_BY_MONTH_AND_CATEGORY = """\
-- Spend per month x category, per currency (amounts are never converted).
SELECT year, month, category, currency,
       SUM(amount) AS total,
       COUNT(*) AS expenses
FROM "{database}"."{table}"
WHERE year >= CAST(year(current_date) - 1 AS varchar)
GROUP BY year, month, category, currency
ORDER BY year DESC, month DESC, total DESC
"""

AWS_COSTS_BY_SERVICE = """\
-- Imported AWS costs per service and month (vendor "AWS - <Service>", source 'aws').
-- Credits, refunds and tax are lines of their own ("AWS - Credits", ...), never netted in.
SELECT year, month, substr(vendor, 7) AS service, currency,
       SUM(amount) AS total
FROM "{database}"."{table}"
WHERE source = 'aws'
  AND vendor LIKE 'AWS - %'
  AND year >= CAST(year(current_date) - 1 AS varchar)
GROUP BY year, month, vendor, currency
ORDER BY year DESC, month DESC, total DESC
"""


class AthenaQueries(Construct):
    def __init__(
        self,
        scope: Construct,
        construct_id: str,
        *,
        workgroup: athena.CfnWorkGroup,
        database: str,
        table: str,
    ) -> None:
        super().__init__(scope, construct_id)
        self.queries: dict[str, athena.CfnNamedQuery] = {}
        for query_id, name, description, sql in (
            (
                "SpendByMonthAndCategory",
                "Outlay: spend by month and category",
                "Totals per month x category, per currency, last two calendar years",
                SPEND_BY_MONTH_AND_CATEGORY,
            ),
            (
                "AwsCostsByService",
                "Outlay: AWS costs by service",
                "Imported AWS costs (vendor 'AWS - <Service>') per service and month, per currency",
                AWS_COSTS_BY_SERVICE,
            ),
        ):
            query = athena.CfnNamedQuery(
                self,
                query_id,
                name=name,
                description=description,
                database=database,
                work_group=workgroup.name,
                query_string=sql.format(database=database, table=table),
            )
            query.add_resource_dependency(workgroup)
            self.queries[query_id] = query
