/**
 * `compute` remembered per distinct text, for values that many rows or jobs share (a request's
 * timestamp, a destination's URL or envelope). When `max` texts are held the memory starts
 * over, so unusual inputs (templated URLs, say) cannot grow it without bound.
 */
export function memoizeByText<T>(compute: (text: string) => T, max: number): (text: string) => T {
  const values = new Map<string, T>();
  return (text) => {
    let value = values.get(text);
    if (value === undefined) {
      value = compute(text);
      if (values.size >= max) values.clear();
      values.set(text, value);
    }
    return value;
  };
}
