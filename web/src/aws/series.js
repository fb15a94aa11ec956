// The AWS costs page's chart data, pure (no DOM, no Chart.js): periods x services as stacked series,
// the biggest services first and the rest folded into "Other", with exact decimal sums.
import { addDecimals } from '../ui.js';

export const TOP_SERVICES = 7;
export const OTHER = 'Other services';

/**
 * `periods` = [{label, services: {name: "1.23"}}], `order` = service names biggest first.
 * Returns {labels, stacks: [{name, values: ["1.23", ...]}]} with at most TOP_SERVICES + 1 stacks.
 */
export function stackedSeries(periods, order, top = TOP_SERVICES) {
  const named = order.slice(0, top);
  const rest = new Set(order.slice(top));
  for (const period of periods) for (const name of Object.keys(period.services)) if (!named.includes(name)) rest.add(name);
  const stacks = named.map((name) => ({ name, values: periods.map((p) => p.services[name] || '0.00') }));
  if (rest.size) {
    stacks.push({
      name: OTHER,
      values: periods.map((p) => addDecimals([...rest].map((name) => p.services[name] || '0'))),
    });
  }
  return { labels: periods.map((p) => p.label), stacks };
}
