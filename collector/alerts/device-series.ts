import type { Sample } from '../../contract/index.ts';

type FieldValue = Sample['fields'][string];

/**
 * The field names of a sample in order, and for each whether it is a number (kept in the device's packed
 * doubles) or a string or boolean (kept beside them). One per measurement and field list, shared by every
 * series and device that has it: a fleet has a few dozen.
 */
export interface Shape {
  readonly measurement: string;
  readonly names: readonly string[];
  /** Per field: its index among the numbers, or −1 − its index among the others. */
  readonly slots: readonly number[];
  readonly numbers: number;
  readonly others: number;
}

/** Shapes by signature, for the life of the process; bounded (past the bound a shape is used unshared). */
export class ShapeTable {
  private readonly shapes = new Map<string, Shape>();
  constructor(private readonly max = 4_096) {}

  of(measurement: string, fields: Sample['fields']): Shape {
    const names = Object.keys(fields);
    let signature = measurement;
    for (const k of names) signature += `\u0000${typeof fields[k] === 'number' ? 'n' : 'o'}${k}`;
    const known = this.shapes.get(signature);
    if (known !== undefined) return known;
    const slots: number[] = [];
    let numbers = 0;
    let others = 0;
    for (const k of names) slots.push(typeof fields[k] === 'number' ? numbers++ : -1 - others++);
    const shape: Shape = { measurement, names, slots, numbers, others };
    if (this.shapes.size < this.max) this.shapes.set(signature, shape);
    return shape;
  }

  get size(): number {
    return this.shapes.size;
  }
}

/** The sample's fields are the shape's: the same names in the same order, each number where it holds one. */
function fits(shape: Shape, measurement: string, fields: Sample['fields']): boolean {
  if (shape.measurement !== measurement) return false;
  let i = 0;
  for (const k in fields) {
    if (shape.names[i] !== k) return false;
    if ((typeof fields[k] === 'number') !== shape.slots[i]! >= 0) return false;
    i++;
  }
  return i === shape.names.length;
}

/**
 * The newest sample of each series of one device, packed: per series its shape, its tag object (shared) and
 * a run of doubles in one array for the device (its time, then its numeric fields); strings and booleans in
 * a second array. Against a sample object per series (the object, its fields object, boxed doubles for the
 * time and every fractional or large number: ~370 bytes) this holds ~8 bytes per number and a few words per
 * series. Samples are built again on read, equal in every member to what was kept.
 */
export class DeviceSeries {
  /** Series key → slot. */
  private readonly index = new Map<string, number>();
  private readonly shapes: Shape[] = [];
  private readonly tags: Array<Sample['tags']> = [];
  /** Per slot: where its time and numbers start in `numbers`, and its others in `others`. */
  private readonly at: number[] = [];
  private readonly otherAt: number[] = [];
  private numbers: number[] = [];
  private others: FieldValue[] = [];
  /** Doubles and others left behind by series whose shape grew: packed away once they are half the arrays. */
  private waste = 0;

  get size(): number {
    return this.shapes.length;
  }

  /** The slot of a series, by the key its measurement and tags make (observations.ts `seriesKey`). */
  slotOf(key: string): number | undefined {
    return this.index.get(key);
  }

  /** The slot's series has this measurement and the very same tags (the cheap check before a key is made). */
  sameSeries(slot: number, measurement: string, tags: Sample['tags'], same: (a: Sample['tags'], b: Sample['tags']) => boolean): boolean {
    return slot < this.shapes.length && this.shapes[slot]!.measurement === measurement && same(this.tags[slot]!, tags);
  }

  time(slot: number): number {
    return this.numbers[this.at[slot]!]!;
  }

  tagsOf(slot: number): Sample['tags'] {
    return this.tags[slot]!;
  }

  /** Keeps a new series; its slot. */
  add(key: string, shape: Shape, tags: Sample['tags'], sample: Sample): number {
    const slot = this.shapes.length;
    this.index.set(key, slot);
    this.shapes.push(shape);
    this.tags.push(tags);
    this.at.push(this.numbers.length);
    this.otherAt.push(this.others.length);
    for (let i = 0; i <= shape.numbers; i++) this.numbers.push(0);
    for (let i = 0; i < shape.others; i++) this.others.push(false);
    this.write(slot, sample);
    return slot;
  }

  /** Replaces a series' sample (its shape may have changed). */
  set(slot: number, shape: Shape, tags: Sample['tags'], sample: Sample): void {
    const was = this.shapes[slot]!;
    if (was.numbers !== shape.numbers || was.others !== shape.others) {
      this.waste += was.numbers + 1 + was.others;
      this.at[slot] = this.numbers.length;
      this.otherAt[slot] = this.others.length;
      for (let i = 0; i <= shape.numbers; i++) this.numbers.push(0);
      for (let i = 0; i < shape.others; i++) this.others.push(false);
    }
    this.shapes[slot] = shape;
    this.tags[slot] = tags;
    this.write(slot, sample);
    if (this.waste > 64 && 2 * this.waste > this.numbers.length + this.others.length) this.pack();
  }

  /** The shape a sample fits: the slot's own when it still does (nearly always), else one from the table. */
  shapeFor(slot: number | undefined, sample: Sample, table: ShapeTable): Shape {
    const own = slot === undefined ? undefined : this.shapes[slot];
    return own !== undefined && fits(own, sample.measurement, sample.fields) ? own : table.of(sample.measurement, sample.fields);
  }

  private write(slot: number, sample: Sample): void {
    const shape = this.shapes[slot]!;
    const at = this.at[slot]!;
    const otherAt = this.otherAt[slot]!;
    this.numbers[at] = sample.time;
    let i = 0;
    for (const k in sample.fields) {
      const s = shape.slots[i++]!;
      const v = sample.fields[k]!;
      if (s >= 0) this.numbers[at + 1 + s] = v as number;
      else this.others[otherAt - 1 - s] = v;
    }
  }

  private pack(): void {
    const numbers: number[] = [];
    const others: FieldValue[] = [];
    for (let slot = 0; slot < this.shapes.length; slot++) {
      const shape = this.shapes[slot]!;
      const at = this.at[slot]!;
      const otherAt = this.otherAt[slot]!;
      this.at[slot] = numbers.length;
      this.otherAt[slot] = others.length;
      for (let i = 0; i <= shape.numbers; i++) numbers.push(this.numbers[at + i]!);
      for (let i = 0; i < shape.others; i++) others.push(this.others[otherAt + i]!);
    }
    this.numbers = numbers;
    this.others = others;
    this.waste = 0;
  }

  /** The slot's sample, built anew. */
  sample(slot: number): Sample {
    const shape = this.shapes[slot]!;
    const at = this.at[slot]!;
    const otherAt = this.otherAt[slot]!;
    const fields: Record<string, FieldValue> = {};
    for (let i = 0; i < shape.names.length; i++) {
      const s = shape.slots[i]!;
      fields[shape.names[i]!] = s >= 0 ? this.numbers[at + 1 + s]! : this.others[otherAt - 1 - s]!;
    }
    return { measurement: shape.measurement, tags: this.tags[slot]!, fields, time: this.numbers[at]! };
  }

  /** Every series' measurement and time, without building samples. */
  eachTime(f: (measurement: string, time: number) => void): void {
    for (let slot = 0; slot < this.shapes.length; slot++) f(this.shapes[slot]!.measurement, this.numbers[this.at[slot]!]!);
  }

  samples(): Sample[] {
    const out: Sample[] = [];
    for (let slot = 0; slot < this.shapes.length; slot++) out.push(this.sample(slot));
    return out;
  }
}
