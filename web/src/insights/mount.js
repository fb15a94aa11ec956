// Mounts the insights panel in its section of the AWS costs page.
import { $ } from '../ui.js';
import { renderInsights } from './panel.js';

const container = $('#insights');
if (container) renderInsights(container);
