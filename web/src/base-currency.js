// Settings: the base currency (PUT /profile baseCurrency). The choices are the currencies ECB publishes
// a reference rate for (GET /currencies `ecbRate`); "Off" sends null.
import { api, itemsOf } from './api.js';
import { $, clearFieldErrors, h, setStatus, showFieldErrors } from './ui.js';

export async function startBaseCurrency() {
  const form = $('#base-currency-form');
  if (!form) return;
  const select = form.elements.baseCurrency;
  const status = $('#base-currency-status');
  try {
    const [currencies, profile] = await Promise.all([api('/currencies'), api('/profile')]);
    const choices = itemsOf(currencies).filter((c) => c.ecbRate);
    select.append(...choices.map((c) => h('option', { value: c.code }, `${c.code} — ${c.name}`)));
    select.value = profile?.baseCurrency || '';
  } catch (error) {
    setStatus(status, `Could not load the base currency: ${error.message}`, 'error');
  }
  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    clearFieldErrors(form);
    const baseCurrency = select.value || null;
    try {
      await api('/profile', { method: 'PUT', body: { baseCurrency } });
      setStatus(
        status,
        baseCurrency ? `Summaries now also show totals in ${baseCurrency}.` : 'Base currency off: totals per currency only.',
        'success',
      );
    } catch (error) {
      showFieldErrors(form, error.details || []);
      setStatus(status, error.message, 'error');
    }
  });
}
