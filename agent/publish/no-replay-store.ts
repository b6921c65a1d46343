import { Store, type IStore } from 'mqtt';

type StorePacket = Parameters<IStore['put']>[0];
type Done = Parameters<IStore['put']>[1];
type PacketCallback = Parameters<IStore['del']>[1];
type Id = { messageId?: number };

/**
 * mqtt.js's outgoing store, minus its replay. mqtt.js keeps each unacknowledged QoS 1 publish in memory,
 * keyed by 16-bit message id, and after a reconnect resends them one at a time, each waiting for its
 * PUBACK, before it even reports the connection (RIG.md). The spool already holds those batches and
 * resends them within its window, so there is one resend path, and it survives a restart: a reconnect
 * starts empty here. Packets stay while in flight because mqtt.js completes a publish (its callback)
 * by deleting the packet from here when the PUBACK comes.
 */
export class NoReplayStore extends Store {
  private readonly ids = new Set<number>();

  override put(packet: StorePacket, cb: Done): this {
    const id = (packet as Id).messageId;
    if (id !== undefined) this.ids.add(id);
    return super.put(packet, cb);
  }

  override del(packet: Id, cb: PacketCallback): this {
    if (packet.messageId !== undefined) this.ids.delete(packet.messageId);
    return super.del(packet as Parameters<IStore['del']>[0], cb);
  }

  /** mqtt.js reads this once per connect to resend what was in flight; forget it all instead. */
  override createStream(): ReturnType<IStore['createStream']> {
    for (const messageId of this.ids) super.del({ messageId }, () => {});
    this.ids.clear();
    return super.createStream();
  }
}
