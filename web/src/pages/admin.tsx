import { useEffect, useState } from 'preact/hooks';
import { api, type Session, type User } from '../api.js';
import { Modal, useConfirm } from '../components/confirm.js';
import { TableHead, TextField } from '../components/fields.js';
import { formatTime } from '../format.js';
import { usePageTitle } from '../hooks.js';

/**
 * Users (admins only): list, create, disable or enable, reset a password, delete. The API holds
 * the rules (name format, password length, never the last admin, never yourself) and its words
 * are shown as they are.
 */
export function AdminPage({ session }: { session: Session }) {
  const heading = usePageTitle('Users');
  if (!session.is_admin) {
    return (
      <div class="page">
        <h1 ref={heading} tabIndex={-1}>
          Admins only
        </h1>
        <p>User administration is for administrators. Ask an admin to change your account.</p>
      </div>
    );
  }
  return <UsersAdmin heading={heading} self={session.username ?? ''} />;
}

function UsersAdmin({ heading, self }: { heading: { current: HTMLHeadingElement | null }; self: string }) {
  const [users, setUsers] = useState<User[] | undefined>(undefined);
  const [notice, setNotice] = useState<{ text: string; error?: boolean } | undefined>(undefined);
  const [resetting, setResetting] = useState<User | undefined>(undefined);
  const [dialog, confirm] = useConfirm();

  const load = () => api.users().then(setUsers, (error: Error) => setNotice({ text: error.message, error: true }));
  useEffect(() => {
    void load();
  }, []);

  /** Runs one change; resolves the API's refusal text, or undefined when it worked. */
  const run = async (action: () => Promise<{ message: string }>): Promise<string | undefined> => {
    try {
      const result = await action();
      setNotice({ text: result.message });
      await load();
      return undefined;
    } catch (error) {
      const text = (error as Error).message;
      setNotice({ text, error: true });
      return text;
    }
  };

  return (
    <div class="page">
      <h1 ref={heading} tabIndex={-1}>
        Users
      </h1>
      <p class={notice?.error ? 'error' : 'notice'} role="status" aria-live="polite" data-testid="admin-notice">
        {notice?.text ?? ''}
      </p>
      <CreateUser onCreate={(user) => run(() => api.createUser(user))} />
      {users ? (
        <table class="users">
          <caption class="visually-hidden">Users</caption>
          <TableHead columns={['Username', ['Email', 'wide'], 'Role', 'State', ['Created', 'wide'], 'Actions']} />
          <tbody>
            {users.map((user) => (
              <tr key={user.id} data-username={user.username}>
                <td class="name">
                  {user.username}
                  {user.username.toLowerCase() === self.toLowerCase() ? <span class="muted"> (you)</span> : null}
                </td>
                <td class="wide">{user.email ?? '—'}</td>
                <td>{user.is_admin ? 'admin' : 'user'}</td>
                <td>{user.is_active ? 'active' : 'disabled'}</td>
                <td class="wide">{formatTime(user.created_at)}</td>
                <td class="row-actions">
                  <button
                    type="button"
                    onClick={() => run(() => api.updateUser(user.id, { is_active: !user.is_active }))}
                    aria-label={`${user.is_active ? 'Disable' : 'Enable'} ${user.username}`}
                  >
                    {user.is_active ? 'Disable' : 'Enable'}
                  </button>
                  <button
                    type="button"
                    onClick={() => setResetting(user)}
                    aria-label={`Reset password of ${user.username}`}
                  >
                    Reset password
                  </button>
                  <button
                    type="button"
                    class="danger"
                    aria-label={`Delete ${user.username}`}
                    onClick={async () => {
                      if (
                        await confirm({
                          title: `Delete ${user.username}?`,
                          message: 'The account is removed and its sessions end. This cannot be undone.',
                          confirmLabel: 'Delete user',
                          danger: true,
                        })
                      )
                        await run(() => api.deleteUser(user.id));
                    }}
                  >
                    Delete
                  </button>
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      ) : (
        <p class="muted">Loading…</p>
      )}
      {resetting ? (
        <ResetPassword
          user={resetting}
          onClose={() => setResetting(undefined)}
          onReset={(password) => run(() => api.updateUser(resetting.id, { password }))}
        />
      ) : null}
      {dialog}
    </div>
  );
}

function CreateUser({
  onCreate,
}: {
  onCreate: (user: {
    username: string;
    password: string;
    email?: string;
    is_admin: boolean;
  }) => Promise<string | undefined>;
}) {
  const [username, setUsername] = useState('');
  const [password, setPassword] = useState('');
  const [email, setEmail] = useState('');
  const [isAdmin, setIsAdmin] = useState(false);
  const [busy, setBusy] = useState(false);
  return (
    <form
      class="create-user"
      aria-labelledby="create-user-heading"
      onSubmit={async (event) => {
        event.preventDefault();
        setBusy(true);
        const refused = await onCreate({
          username: username.trim(),
          password,
          ...(email.trim() ? { email: email.trim() } : {}),
          is_admin: isAdmin,
        });
        setBusy(false);
        if (!refused) {
          setUsername('');
          setPassword('');
          setEmail('');
          setIsAdmin(false);
        }
      }}
    >
      <h2 id="create-user-heading">New user</h2>
      <div class="fields">
        <TextField label="Username" name="new-username" autocomplete="off" value={username} onValue={setUsername} />
        <TextField
          label="Password"
          name="new-password"
          type="password"
          autocomplete="new-password"
          value={password}
          onValue={setPassword}
        />
        <TextField label="Email (optional)" name="new-email" type="email" value={email} onValue={setEmail} />
        <label class="checkbox">
          <input type="checkbox" checked={isAdmin} onChange={(e) => setIsAdmin(e.currentTarget.checked)} />{' '}
          Administrator
        </label>
      </div>
      <button type="submit" class="primary" disabled={busy}>
        Create user
      </button>
    </form>
  );
}

function ResetPassword(props: {
  user: User;
  onClose: () => void;
  onReset: (password: string) => Promise<string | undefined>;
}) {
  const [password, setPassword] = useState('');
  const [refused, setRefused] = useState<string | undefined>(undefined);
  return (
    <Modal labelledBy="reset-title" onCancel={props.onClose}>
      <form
        onSubmit={async (event) => {
          event.preventDefault();
          const reason = await props.onReset(password);
          if (reason) setRefused(reason);
          else props.onClose();
        }}
      >
        <h2 id="reset-title">New password for {props.user.username}</h2>
        <p>Their current sessions end; tell them the new password.</p>
        <TextField
          label="New password"
          type="password"
          autocomplete="new-password"
          value={password}
          onValue={setPassword}
        />
        {refused ? (
          <p class="error" role="alert">
            {refused}
          </p>
        ) : null}
        <div class="dialog-actions">
          <button type="button" onClick={props.onClose}>
            Cancel
          </button>
          <button type="submit" class="primary">
            Set password
          </button>
        </div>
      </form>
    </Modal>
  );
}
