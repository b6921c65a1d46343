#!/usr/bin/env python3
"""Answers ICMP echo requests after a delay, dropping a share of them: netem's "delay D loss L" for
kernels without sch_netem (RIG.md). Run inside a network namespace whose kernel echo replies are off
(net.ipv4.icmp_echo_ignore_all=1). Loss is stratified: in every block of BLOCK requests exactly
round(L * BLOCK / 100) are dropped, at positions drawn from a seeded generator, so 400 probes at 5 %
lose 20 — random in where, exact in how many (a plain 5 % coin would miss ±1.5 % one run in six).

Usage: icmp-responder.py --delay-ms 20 --loss-pct 5 --seed 1 [--block 20]
Prints "ready" once its sockets are open; exits on SIGTERM.
"""
import argparse
import heapq
import random
import select
import signal
import socket
import struct
import sys
import time


def checksum(data: bytes) -> int:
    if len(data) % 2:
        data += b"\0"
    total = sum(struct.unpack(f"!{len(data) // 2}H", data))
    while total >> 16:
        total = (total & 0xFFFF) + (total >> 16)
    return ~total & 0xFFFF


def reply_for(packet: bytes):
    """The echo reply (RFC 792) to an IPv4 echo request, with the addresses swapped; None if not one."""
    ihl = (packet[0] & 0x0F) * 4
    if len(packet) < ihl + 8 or packet[9] != socket.IPPROTO_ICMP or packet[ihl] != 8:
        return None
    src, dst = packet[12:16], packet[16:20]
    icmp = bytearray(packet[ihl:])
    icmp[0] = 0  # echo reply
    icmp[2:4] = b"\0\0"
    icmp[2:4] = struct.pack("!H", checksum(bytes(icmp)))
    # IP header: version/ihl, tos, total length, id (0: kernel fills), flags, ttl, proto, checksum (kernel fills).
    header = struct.pack("!BBHHHBBH4s4s", 0x45, 0, 20 + len(icmp), 0, 0, 64, socket.IPPROTO_ICMP, 0, dst, src)
    return header + bytes(icmp), socket.inet_ntoa(src)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--delay-ms", type=float, required=True)
    parser.add_argument("--loss-pct", type=float, default=0.0)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--block", type=int, default=20)
    args = parser.parse_args()

    rng = random.Random(args.seed)
    drops_per_block = round(args.loss_pct * args.block / 100)
    block: list = []

    def dropped() -> bool:
        nonlocal block
        if not block:
            block = [True] * drops_per_block + [False] * (args.block - drops_per_block)
            rng.shuffle(block)
        return block.pop()

    listen = socket.socket(socket.AF_INET, socket.SOCK_RAW, socket.IPPROTO_ICMP)
    send = socket.socket(socket.AF_INET, socket.SOCK_RAW, socket.IPPROTO_RAW)
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))
    print("ready", flush=True)

    due: list = []  # (when, seq, packet, address)
    seq = 0
    delay = args.delay_ms / 1000
    while True:
        timeout = max(0.0, due[0][0] - time.monotonic()) if due else None
        readable, _, _ = select.select([listen], [], [], timeout)
        if listen in readable:
            packet = listen.recv(65535)
            arrived = time.monotonic()
            answer = reply_for(packet)
            if answer is not None and not dropped():
                seq += 1
                heapq.heappush(due, (arrived + delay, seq, answer[0], answer[1]))
        now = time.monotonic()
        while due and due[0][0] <= now:
            _, _, reply, address = heapq.heappop(due)
            send.sendto(reply, (address, 0))


if __name__ == "__main__":
    main()
