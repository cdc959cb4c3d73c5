type Child = Node | string | null | undefined | false;

/**
 * Creates an element with attributes and children: just enough DOM building for the demo without a
 * framework. `false`, `null` and `undefined` children are skipped so conditionals read inline.
 */
export function h<K extends keyof HTMLElementTagNameMap>(
  tag: K,
  attributes: Record<string, string | boolean> = {},
  ...children: Child[]
): HTMLElementTagNameMap[K] {
  const element = document.createElement(tag);
  for (const [name, value] of Object.entries(attributes)) {
    if (value === true) element.setAttribute(name, '');
    else if (value !== false) element.setAttribute(name, value);
  }
  for (const child of children) if (child !== null && child !== undefined && child !== false) element.append(child);
  return element;
}

/** The element with `id`, or a TypeError naming it: index.html and the demo must agree. */
export function byId<T extends HTMLElement>(id: string, type: new () => T): T {
  const element = document.getElementById(id);
  if (!(element instanceof type)) throw new TypeError(`demo: #${id} is missing from index.html or is not a ${type.name}`);
  return element;
}
