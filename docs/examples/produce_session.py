#!/usr/bin/python3
"""Publishes one WAV recording as a streamscribe session, from Python: the producer contract of
docs/producer-contract.md, followed by a client that is not Java.

Needs Debian's python3-confluent-kafka (1.7, librdkafka), python3-avro and python3-requests; run it with
/usr/bin/python3, which sees Debian's packages:

    /usr/bin/python3 docs/examples/produce_session.py --bootstrap-servers 127.0.0.1:9092 \
        --registry http://127.0.0.1:8080/apis/ccompat/v7 --schemas schemas/ samples/01-slt-weather.wav

Then `streamscribe run` (or a running pipeline) transcribes it. The WAV must already be what the session sends:
24 kHz mono 16-bit PCM (resampling is the producer's job; ffmpeg -i in.mp3 -ar 24000 -ac 1 out.wav does it).
"""
import argparse
import hashlib
import io
import json
import os
import struct
import sys
import time
import wave

import avro.io
import avro.schema
import requests
from confluent_kafka import Producer

MAX_CHUNK_BYTES = 256 * 1024
# The named types the two input schemas refer to, in the order they must be defined (as the build reads them).
SHARED_TYPES = ["AudioFormat", "OutputModality", "NoiseReduction", "StartPolicy", "TurnStatus", "ResponseStatus", "SessionStatus",
                "UsageKind", "Usage", "TokenLogprob", "TranscriptionSettings", "ResponseRequest"]


def load_schemas(directory):
    """SessionConfig and AudioChunk with the types they refer to defined once, as the registry expects them."""
    names = avro.schema.Names()
    for name in SHARED_TYPES:
        with open(os.path.join(directory, name + ".avsc")) as f:
            avro.schema.make_avsc_object(json.load(f), names)
    parsed = {}
    for name in ["SessionConfig", "AudioChunk"]:
        with open(os.path.join(directory, name + ".avsc")) as f:
            parsed[name] = avro.schema.make_avsc_object(json.load(f), names)
    return parsed


def register(registry, subject, schema):
    """Registers the writer schema under <topic>-value (or finds it) and returns its id."""
    answer = requests.post(registry.rstrip("/") + "/subjects/" + subject + "/versions",
                           headers={"Content-Type": "application/vnd.schemaregistry.v1+json"},
                           data=json.dumps({"schema": json.dumps(schema.to_json())}), timeout=30)
    answer.raise_for_status()
    return answer.json()["id"]


def encode(schema, schema_id, datum):
    """Confluent wire format: byte 0, the schema id as a big-endian int32, then Avro binary."""
    out = io.BytesIO()
    out.write(struct.pack(">bI", 0, schema_id))
    avro.io.DatumWriter(schema).write(datum, avro.io.BinaryEncoder(out))
    return out.getvalue()


def chunks(pcm, turn_bytes, chunk_bytes):
    """(seq, turn, audio, end_of_turn, end_of_session): turns of turn_bytes, each cut into chunks of chunk_bytes."""
    turns = [pcm[i:i + turn_bytes] for i in range(0, len(pcm), turn_bytes)]
    seq = 0
    for turn_index, turn in enumerate(turns):
        pieces = [turn[i:i + chunk_bytes] for i in range(0, len(turn), chunk_bytes)]
        for piece_index, piece in enumerate(pieces):
            last_of_turn = piece_index == len(pieces) - 1
            yield seq, turn_index, piece, last_of_turn, last_of_turn and turn_index == len(turns) - 1
            seq += 1


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("wav")
    parser.add_argument("--bootstrap-servers", required=True)
    parser.add_argument("--registry", required=True, help="Confluent-API registry root")
    parser.add_argument("--schemas", default="schemas", help="the project's schemas/ directory")
    parser.add_argument("--topic-prefix", default="streamscribe.")
    parser.add_argument("--session-id", help="default: s-py- and a hash of the file's bytes")
    parser.add_argument("--model", default="gpt-4o-transcribe")
    parser.add_argument("--turn-seconds", type=float, default=30.0)
    parser.add_argument("--chunk-kib", type=int, default=64)
    args = parser.parse_args()

    with wave.open(args.wav) as w:
        if (w.getframerate(), w.getnchannels(), w.getsampwidth()) != (24000, 1, 2):
            sys.exit("%s is %d Hz, %d channel(s), %d-bit: a PCM16_24KHZ session needs 24000 Hz mono 16-bit"
                     % (args.wav, w.getframerate(), w.getnchannels(), 8 * w.getsampwidth()))
        pcm = w.readframes(w.getnframes())
    if not pcm:
        sys.exit(args.wav + " holds no audio")
    digest = hashlib.sha256(pcm).hexdigest()
    session_id = args.session_id or "s-py-" + digest[:32]
    # Same run token = same run: a run that has a result is never sent again. Any non-blank value unique per run.
    run_token = "r-py-" + hashlib.sha256((digest + args.model).encode()).hexdigest()[:32]

    schemas = load_schemas(args.schemas)
    configs_topic = args.topic_prefix + "session-configs"
    audio_topic = args.topic_prefix + "audio-chunks"
    config_id = register(args.registry, configs_topic + "-value", schemas["SessionConfig"])
    chunk_id = register(args.registry, audio_topic + "-value", schemas["AudioChunk"])

    # murmur2_random: the partition Java clients choose for a key. librdkafka's default (CRC32) would put this
    # session's records in other partitions than a Java producer (ingest, replay) puts the same session's.
    producer = Producer({"bootstrap.servers": args.bootstrap_servers, "partitioner": "murmur2_random",
                         "enable.idempotence": True, "message.max.bytes": 8 * 1024 * 1024})
    key = session_id.encode("utf-8")
    failures = []

    def delivered(error, message):
        if error is not None:
            failures.append(error)

    count = 0
    now = int(time.time() * 1000)
    # Chunks first, the config last: a session whose config is visible has all its audio on the way.
    for seq, turn, audio, end_of_turn, end_of_session in chunks(pcm, int(args.turn_seconds * 24000) * 2,
                                                               args.chunk_kib * 1024):
        producer.produce(audio_topic, key=key, on_delivery=delivered, value=encode(schemas["AudioChunk"], chunk_id, {
            "sessionId": session_id, "seq": seq, "turnIndex": turn, "audio": audio, "endOfTurn": end_of_turn,
            "endOfSession": end_of_session, "producedAtMs": now, "abort": None}))
        count += 1
        producer.poll(0)
    producer.produce(configs_topic, key=key, on_delivery=delivered, value=encode(schemas["SessionConfig"], config_id, {
        "sessionId": session_id, "runToken": run_token, "model": None, "instructions": None,
        "transcription": {"model": args.model, "language": None, "prompt": None, "includeLogprobs": False},
        "audioFormat": "PCM16_24KHZ", "noiseReduction": "NONE", "response": None, "dialectOptions": {},
        "metadata": {"source": os.path.basename(args.wav), "producer": "python"}, "createdAtMs": now,
        "start": "AT_END"}))
    remaining = producer.flush(60)
    if failures or remaining:
        sys.exit("not every record was acknowledged: %s (%d left)" % (failures, remaining))
    print(json.dumps({"session_id": session_id, "run_token": run_token, "chunks": count,
                      "audio_ms": len(pcm) // 2 * 1000 // 24000}))


if __name__ == "__main__":
    main()
