// Settings → AWS connections: every account the user connected (up to 20), an organization's
// member accounts imported through its management account. Add (role or keys, validated by AWS
// before saving), rename, pause/resume the monthly import, import last month, delete (confirmed, with Undo),
// and what each permission of the role is for, in plain words.
import { ApiError, api } from './api.js';
import { $, clearFieldErrors, confirmDialog, formatDateTime, h, setStatus, showFieldErrors, toast } from './ui.js';

const list = () => $('#connections-list');
// After a change: the settings page reloads its status card too (the first connection is shown there).
let refresh = () => loadConnections();
const message = () => $('#connections-status');

function lastImportText(run) {
  if (!run) return 'never imported';
  const when = formatDateTime(run.finishedAt || run.startedAt);
  return `last import ${when}: ${run.status}${run.accounts?.length > 1 ? ` (${run.accounts.length} accounts)` : ''}`;
}

function row(connection) {
  const method = connection.type === 'role' ? 'IAM role' : `access key ${connection.accessKeyId || ''}`;
  const rename = async () => {
    const name = window.prompt('New name for this connection', connection.name);
    if (name === null || !name.trim() || name.trim() === connection.name) return;
    await act(() => api(`/aws-connections/${connection.id}`, { method: 'PATCH', body: { name: name.trim() } }), 'Renamed');
  };
  const toggle = () => act(
    () => api(`/aws-connections/${connection.id}`, { method: 'PATCH', body: { enabled: !connection.enabled } }),
    connection.enabled ? `Monthly import paused for ${connection.name}` : `Monthly import resumed for ${connection.name}`,
  );
  const importNow = () => act(
    () => api('/aws-cost-import', { method: 'POST', body: { connectionId: connection.id } }),
    `Imported last month of ${connection.name}`,
  );
  const remove = async () => {
    const ok = await confirmDialog(
      `Delete the connection “${connection.name}”?`,
      'Outlay stops importing it and forgets its credentials (you can undo for a few minutes). Lines already imported stay in your expenses.',
      'Delete connection',
    );
    if (!ok) return;
    try {
      await api(`/aws-connections/${connection.id}`, { method: 'DELETE' });
    } catch (error) {
      toast(`Could not delete: ${error.message}`, { kind: 'error' });
      return;
    }
    await refresh();
    // The same connection (id, credentials, history) can come back for a few minutes.
    toast(`Deleted ${connection.name}.`, {
      timeout: 8000,
      focusAction: true,
      returnFocus: $('#connections-title'),
      action: {
        label: 'Undo',
        run: () => act(() => api(`/aws-connections/${connection.id}/restore`, { method: 'POST' }), `Restored ${connection.name}`),
      },
    });
  };
  return h('li', { class: 'connection', 'data-connection': connection.id },
    h('div', {},
      h('strong', {}, connection.name), ' ',
      h('span', { class: 'badge' }, connection.accountId || '—'),
      connection.isOrganization ? h('span', { class: 'badge', title: 'Management account: every member account is imported' }, 'organization') : null,
      connection.enabled ? null : h('span', { class: 'badge' }, 'paused'),
    ),
    h('p', { class: 'hint' }, `${method} · ${lastImportText(connection.lastImport)}`),
    h('div', { class: 'actions' },
      h('button', { type: 'button', class: 'secondary', onclick: importNow }, 'Import last month'),
      h('button', { type: 'button', class: 'secondary', onclick: rename }, 'Rename'),
      h('button', { type: 'button', class: 'secondary', onclick: toggle }, connection.enabled ? 'Pause' : 'Resume'),
      h('button', { type: 'button', class: 'danger', onclick: remove }, 'Delete'),
    ),
  );
}

async function act(call, done) {
  try {
    await call();
    toast(done, { kind: 'success' });
  } catch (error) {
    toast(error.message, { kind: 'error' });
  }
  await refresh();
}

export async function loadConnections() {
  try {
    const { items } = await api('/aws-connections');
    list().replaceChildren(...items.map(row));
    if (items.length) message().hidden = true;
    else setStatus(message(), 'No AWS account is connected yet. Add one below.', 'info');
  } catch (error) {
    setStatus(message(), `Could not load your AWS connections: ${error.message}`, 'error');
  }
}

async function addConnection(event) {
  event.preventDefault();
  const form = event.currentTarget;
  clearFieldErrors(form);
  const data = Object.fromEntries(new FormData(form));
  const body = data.type === 'role'
    ? { type: 'role', roleArn: data.roleArn.trim() }
    : { type: 'keys', accessKeyId: data.accessKeyId.trim(), secretAccessKey: data.secretAccessKey };
  if (data.name.trim()) body.name = data.name.trim();
  try {
    const added = await api('/aws-connections', { method: 'POST', body });
    form.reset();
    toast(`Connected ${added.name} (${added.accountId})${added.isOrganization ? ': an organization, every member account is imported' : ''}`, { kind: 'success' });
    await refresh();
  } catch (error) {
    if (error instanceof ApiError && error.details?.length) showFieldErrors(form, error.details);
    setStatus($('#add-connection-status'), error.message, 'error');
  }
}

function showMethod(form) {
  const role = form.elements.type.value === 'role';
  $('#add-role-fields').hidden = !role;
  $('#add-key-fields').hidden = role;
}

async function loadPermissions() {
  try {
    const setup = await api('/aws-credentials/role-setup');
    $('#permissions-list').replaceChildren(...(setup.permissions || []).map((p) => h('li', {},
      h('code', {}, p.action), p.optional ? ' (optional) ' : ' ', p.why)));
  } catch {
    $('#permissions-list').replaceChildren(h('li', {}, 'Could not load the permissions.'));
  }
}

export function startConnections({ onChange } = {}) {
  if (onChange) refresh = onChange;
  const form = $('#add-connection-form');
  if (!form) return;
  form.addEventListener('submit', addConnection);
  form.addEventListener('change', () => showMethod(form));
  showMethod(form);
  loadPermissions(); // the list loads with the settings page's status (loadStatus)
}
