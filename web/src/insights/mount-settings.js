// Mounts the insights panel on the Settings page (until the AWS costs page hosts it).
import { $ } from '../ui.js';
import { renderInsights } from './panel.js';

const container = $('#insights');
if (container) renderInsights(container);
