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

/** Shared by every device without string or boolean fields; never written (a push would make it a device's own). */
const NO_OTHERS: FieldValue[] = [];

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
  /** Per slot three references: its series key, its shape, its tags. One array, not three: a device has ~10 series, and every array costs its header and spare capacity. */
  private refs: unknown[] = [];
  /** Per slot two offsets: where its time and numbers start in `numbers`, where its others start in `others`. */
  private offsets: number[] = [];
  private numbers: number[] = [];
  private others: FieldValue[] = [];
  /** Series key → slot, made only for a device with many series (a scan of the keys is cheaper below). */
  private index: Map<string, number> | undefined;
  /** Doubles and others left behind by series whose shape grew: packed away once they are half the arrays. */
  private waste = 0;
  /**
   * Series were added since the arrays were last cut to size: done once half the series were updated with
   * none added (the poll that made them is over), so a device adding series all the time is not packed per
   * sample; its arrays then keep at most the spare half that push leaves.
   */
  private loose = false;
  private updatesSinceAdd = 0;

  get size(): number {
    return this.offsets.length / 2;
  }

  /** The slot of a series, by the key its measurement and tags make (observations.ts `seriesKey`). */
  slotOf(key: string): number | undefined {
    if (this.index !== undefined) return this.index.get(key);
    for (let i = 0; i < this.refs.length; i += 3) if (this.refs[i] === key) return i / 3;
    return undefined;
  }

  /** The slot's series has this measurement and the very same tags (the cheap check before a key is made). */
  sameSeries(slot: number, measurement: string, tags: Sample['tags'], same: (a: Sample['tags'], b: Sample['tags']) => boolean): boolean {
    return slot < this.size && this.shape(slot).measurement === measurement && same(this.tagsOf(slot), tags);
  }

  private shape(slot: number): Shape {
    return this.refs[3 * slot + 1] as Shape;
  }

  time(slot: number): number {
    return this.numbers[this.offsets[2 * slot]!]!;
  }

  tagsOf(slot: number): Sample['tags'] {
    return this.refs[3 * slot + 2] as Sample['tags'];
  }

  /** Keeps a new series; its slot. */
  add(key: string, shape: Shape, tags: Sample['tags'], sample: Sample): number {
    const slot = this.size;
    this.refs.push(key, shape, tags);
    this.offsets.push(this.numbers.length, this.others.length);
    this.grow(shape);
    if (this.index !== undefined) this.index.set(key, slot);
    else if (slot >= 32) this.index = new Map(Array.from({ length: slot + 1 }, (_, i) => [this.refs[3 * i] as string, i]));
    this.loose = true;
    this.updatesSinceAdd = 0;
    this.write(slot, sample);
    return slot;
  }

  /** Replaces a series' sample (its shape may have changed). */
  set(slot: number, shape: Shape, tags: Sample['tags'], sample: Sample): void {
    const was = this.shape(slot);
    if (was.numbers !== shape.numbers || was.others !== shape.others) {
      this.waste += was.numbers + 1 + was.others;
      this.offsets[2 * slot] = this.numbers.length;
      this.offsets[2 * slot + 1] = this.others.length;
      this.grow(shape);
    }
    this.refs[3 * slot + 1] = shape;
    this.refs[3 * slot + 2] = tags;
    this.write(slot, sample);
    this.updatesSinceAdd++;
    if ((this.loose && 2 * this.updatesSinceAdd >= this.size) || (this.waste > 64 && 2 * this.waste > this.numbers.length + this.others.length)) this.pack();
  }

  /** Room at the ends of the arrays for one run of the shape. */
  private grow(shape: Shape): void {
    for (let i = 0; i <= shape.numbers; i++) this.numbers.push(0);
    if (shape.others > 0 && this.others === NO_OTHERS) this.others = [];
    for (let i = 0; i < shape.others; i++) this.others.push(false);
  }

  /** The shape a sample fits: the slot's own when it still does (nearly always), else one from the table. */
  shapeFor(slot: number | undefined, sample: Sample, table: ShapeTable): Shape {
    const own = slot === undefined ? undefined : this.shape(slot);
    return own !== undefined && fits(own, sample.measurement, sample.fields) ? own : table.of(sample.measurement, sample.fields);
  }

  private write(slot: number, sample: Sample): void {
    const shape = this.shape(slot);
    const at = this.offsets[2 * slot]!;
    const otherAt = this.offsets[2 * slot + 1]!;
    this.numbers[at] = sample.time;
    let i = 0;
    for (const k in sample.fields) {
      const s = shape.slots[i++]!;
      const v = sample.fields[k]!;
      if (s >= 0) this.numbers[at + 1 + s] = v as number;
      else this.others[otherAt - 1 - s] = v;
    }
  }

  /** The arrays again, without the runs left behind, each exactly as long as it needs. */
  private pack(): void {
    const numbers: number[] = [];
    const others: FieldValue[] = [];
    for (let slot = 0; slot < this.size; slot++) {
      const shape = this.shape(slot);
      const at = this.offsets[2 * slot]!;
      const otherAt = this.offsets[2 * slot + 1]!;
      this.offsets[2 * slot] = numbers.length;
      this.offsets[2 * slot + 1] = others.length;
      for (let i = 0; i <= shape.numbers; i++) numbers.push(this.numbers[at + i]!);
      for (let i = 0; i < shape.others; i++) others.push(this.others[otherAt + i]!);
    }
    // slice() gives a backing store of the exact length; arrays grown by push keep up to half again spare.
    this.numbers = numbers.slice();
    this.others = others.length === 0 ? NO_OTHERS : others.slice();
    this.refs = this.refs.slice();
    this.offsets = this.offsets.slice();
    this.waste = 0;
    this.loose = false;
  }

  /** The slot's sample, built anew. */
  sample(slot: number): Sample {
    const shape = this.shape(slot);
    const at = this.offsets[2 * slot]!;
    const otherAt = this.offsets[2 * slot + 1]!;
    const fields: Record<string, FieldValue> = {};
    for (let i = 0; i < shape.names.length; i++) {
      const s = shape.slots[i]!;
      fields[shape.names[i]!] = s >= 0 ? this.numbers[at + 1 + s]! : this.others[otherAt - 1 - s]!;
    }
    return { measurement: shape.measurement, tags: this.tagsOf(slot), fields, time: this.numbers[at]! };
  }

  /** Every series' measurement and time, without building samples. */
  eachTime(f: (measurement: string, time: number) => void): void {
    for (let slot = 0; slot < this.size; slot++) f(this.shape(slot).measurement, this.time(slot));
  }

  /** The samples of one measurement, in slot order. */
  samplesOf(measurement: string): Sample[] {
    const out: Sample[] = [];
    for (let slot = 0; slot < this.size; slot++) if (this.shape(slot).measurement === measurement) out.push(this.sample(slot));
    return out;
  }

  samples(): Sample[] {
    const out: Sample[] = [];
    for (let slot = 0; slot < this.size; slot++) out.push(this.sample(slot));
    return out;
  }
}
