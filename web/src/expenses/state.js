// What the expenses page's modules share: the page's state and its two forms.
import { $ } from '../ui.js';

export const PAGE_SIZE = 25;

export const form = $('#expense-form');
export const filterForm = $('#filter-form');

export const state = {
  defaultCurrency: 'EUR',
  minorUnits: new Map(), // ISO 4217 code -> decimals (GET /currencies)
  categories: [],
  filters: {},
  next: null,
  items: new Map(), // id -> expense, in list order
  summary: { items: [], totals: [] },
  summaryCurrency: null,
  editing: null,
};
