import { describe, expect, it } from 'vitest';
import { parseCsv, validateRows } from '../../../lib/migrate/users-file.js';

describe('users file', () => {
  it('parses quoted CSV fields with commas, doubled quotes and line breaks, keeping line numbers', () => {
    const { header, rows } = parseCsv('\uFEFFUsername,Password\r\n"a,b","say ""hi""\nthere"\r\n\r\nc,d\n');
    expect(header).toEqual(['username', 'password']);
    expect(rows).toEqual([
      { line: 2, fields: { username: 'a,b', password: 'say "hi"\nthere' } },
      { line: 5, fields: { username: 'c', password: 'd' } },
    ]);
    expect(() => parseCsv('username,password\n"open,x')).toThrow(/^CSV line 2: Quote Not Closed/);
    // A short row keeps its missing cells missing, for validation to name.
    expect(parseCsv('username,password,email\nsolo\n').rows).toEqual([{ line: 2, fields: { username: 'solo' } }]);
  });

  it('validates each row on its own and reports every reason', () => {
    const { valid, rejected } = validateRows([
      { line: 2, fields: { username: 'ok_user', password: '12345678', email: '', is_admin: 'TRUE' } },
      { line: 3, fields: { username: 'no', password: 'short', email: 'bad' } },
    ]);
    expect(valid).toEqual([{ line: 2, username: 'ok_user', password: '12345678', email: null, isAdmin: true }]);
    expect(rejected).toHaveLength(1);
    expect(rejected[0]?.reason).toMatch(
      /username must be 3–50.*; password must be at least 8.*; email is not an email/,
    );
  });
});
