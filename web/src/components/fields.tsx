import type { ComponentChildren } from 'preact';

/** A labelled text input bound to a value: the label wraps it, so clicking the words focuses it. */
export function TextField(props: {
  label: string;
  value: string;
  onValue: (value: string) => void;
  name?: string;
  type?: 'text' | 'password' | 'email';
  autocomplete?: string;
  required?: boolean;
}) {
  return (
    <label>
      {props.label}
      <input
        name={props.name}
        // Preact types each input `type` with its own roles; these three share the textbox ones.
        type={(props.type ?? 'text') as 'text'}
        autocomplete={props.autocomplete}
        required={props.required}
        value={props.value}
        onInput={(e) => props.onValue(e.currentTarget.value)}
      />
    </label>
  );
}

/** A row of labelled facts (status, size, started…), wrapping on narrow screens. */
export function Facts({ items }: { items: Array<[string, ComponentChildren]> }) {
  return (
    <dl class="facts">
      {items.map(([term, value]) => (
        <div key={term}>
          <dt>{term}</dt>
          <dd>{value}</dd>
        </div>
      ))}
    </dl>
  );
}

/** A table's header row; `wide` columns give way on a phone (their facts move under the name). */
export function TableHead({ columns }: { columns: Array<string | [string, 'wide']> }) {
  return (
    <thead>
      <tr>
        {columns.map((column) => {
          const [label, wide] = typeof column === 'string' ? [column, undefined] : column;
          return (
            <th key={label} scope="col" class={wide}>
              {label}
            </th>
          );
        })}
      </tr>
    </thead>
  );
}
