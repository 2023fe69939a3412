"""Speech through the emulator: bot A speaks (piper), bot B transcribes (Silero + whisper tiny.en).

Measures, all in one process on 127.0.0.1 (emulator on port 0, real WebRTC, Opus):

1. **WER** over 20 scripted sentences, each said by bot A and transcribed by bot B (target <= 15 %).
2. **Transcript lag**: from the end of A's playback of a sentence (its last frame handed to the
   track) to B's ``transcript`` event (includes network, jitter buffer, VAD hangover and STT);
   p50 target <= 1.5 s.
3. **TTS time to first audio**: ``say()`` called -> first sentence's PCM queued (the track sends it
   within the next 20 ms frame); target <= 300 ms.
4. **STT real-time factor on one core**: whisper with ``cpu_threads=1``, process pinned to one CPU,
   over the 20 sentences' audio (wall / audio seconds); target <= 0.5.
5. **Scale**: N speaker/listener pairs (one meeting each, every pair talking at once, engines shared)
   until the p50 lag is more than twice that of one pair (the p50 of step 2).

Usage: ``.venv/bin/python bench/speech.py [--sentences 20] [--max-pairs 6] [--json out.json]``
(needs ``pip install -e '.[bot,speech]'``).
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import statistics
import sys
import time
from typing import Any

import httpx

SENTENCES = [
    "Good morning everyone, let's get started.",
    "Please start the recording now.",
    "The first item on the agenda is the budget review.",
    "Sales grew by twelve percent in the last quarter.",
    "We need to hire two more engineers before March.",
    "Can everyone see my screen?",
    "The new office opens on the first of June.",
    "Marketing will send the survey results on Friday.",
    "I think we should move the launch by one week.",
    "Does anyone have questions about the roadmap?",
    "The customer asked for a demo next Tuesday.",
    "Let's take a short break and come back in ten minutes.",
    "Our server costs went down after the migration.",
    "Please review the design document before Thursday.",
    "The support team closed three hundred tickets this month.",
    "We will decide on the vendor at the next meeting.",
    "Remember to submit your expenses by the end of the week.",
    "The training session is scheduled for Wednesday afternoon.",
    "Thank you all for joining today.",
    "Let's end the meeting here and follow up by email.",
]

ACCOUNT = "0123456789abcdef0123456789abcdef"
APP = "7d1b2c3e-0000-4000-8000-0000000be4c4"
TOKEN = "speech-bench-api-token-0001"
API = f"/client/v4/accounts/{ACCOUNT}/realtime/kit/{APP}"


def pct(values: list[float], q: float) -> float:
    """The q-quantile (0..1) by nearest rank."""
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, round(q * (len(ordered) - 1))))]


class Room:
    """One meeting with a speaking bot and a transcribing bot."""

    def __init__(self, http: httpx.AsyncClient, origin: str, engines: dict[str, Any]) -> None:
        self.http = http
        self.origin = origin
        self.engines = engines
        self.speaker: Any = None
        self.listener: Any = None

    async def _bot(self, meeting: str, name: str, **config: Any) -> Any:
        from realtimekit_mcp.bot.participant import BotConfig, BotParticipant

        body = {"custom_participant_id": name, "preset_name": "group_call_host", "name": name}
        r = await self.http.post(f"{API}/meetings/{meeting}/participants", json=body)
        r.raise_for_status()
        cfg = BotConfig.for_origin(self.origin, reconnect=False, **self.engines, **config)
        bot = BotParticipant(str(r.json()["data"]["token"]), cfg)
        await bot.join()
        return bot

    async def open(self, index: int) -> None:
        r = await self.http.post(f"{API}/meetings", json={"title": f"speech bench {index}"})
        r.raise_for_status()
        meeting = str(r.json()["data"]["id"])
        self.speaker = await self._bot(meeting, f"Speaker {index}", subscribe_audio=False)
        self.listener = await self._bot(meeting, f"Listener {index}", transcribe=True)
        await self.speaker.publish_audio()
        await self.listener.wait_audio(self.speaker.participant_id, seconds=0.2)

    async def close(self) -> None:
        for bot in (self.speaker, self.listener):
            if bot is not None:
                await bot.leave()

    async def say_and_hear(self, sentence: str) -> dict[str, Any]:
        """Say one sentence; wait for its transcript (all segments until 1.5 s of quiet after the first)."""
        cursor = self.listener.last_seq
        item = await self.speaker.say(sentence, wait=True)
        ended = time.time()
        texts: list[str] = []
        last_at = ended
        deadline = 15.0
        while True:
            try:
                async with asyncio.timeout(deadline):
                    event = await self.listener.wait_event(
                        "transcript", after=cursor, where=lambda e: e.data.get("source") == "bot"
                    )
            except TimeoutError:
                break
            cursor = event.seq
            texts.append(str(event.data["text"]))
            last_at = event.at
            deadline = 1.5  # a sentence may come back as two utterances
        return {
            "sentence": sentence,
            "heard": " ".join(texts),
            "lag": (last_at - ended) if texts else None,
            "ttfa": (item.first_audio_at - item.requested_at) if item.first_audio_at else None,
            "audio_seconds": item.seconds,
        }


async def run_rooms(
    origin: str, http: httpx.AsyncClient, engines: dict[str, Any], pairs: int, sentences: list[str]
) -> list[dict[str, Any]]:
    rooms = [Room(http, origin, engines) for _ in range(pairs)]
    try:
        for i, room in enumerate(rooms):
            await room.open(i)

        async def talk(room: Room, offset: int) -> list[dict[str, Any]]:
            out = []
            for k in range(len(sentences)):
                out.append(await room.say_and_hear(sentences[(k + offset) % len(sentences)]))
            return out

        results = await asyncio.gather(*(talk(room, 3 * i) for i, room in enumerate(rooms)))
        return [r for per_room in results for r in per_room]
    finally:
        for room in rooms:
            await room.close()


def stt_one_core(engines: dict[str, Any], sentences: list[str]) -> dict[str, float]:
    """Whisper tiny.en with one thread, pinned to one CPU, over each sentence's piper audio."""
    from realtimekit_mcp.speech import get_stt
    from realtimekit_mcp.speech.audio import resample

    tts = engines["tts"]
    clips = [resample(tts.synthesize(s), tts.sample_rate, 16_000) for s in sentences]
    stt = get_stt("faster-whisper", cpu_threads=1)
    stt.transcribe(clips[0])  # warm-up
    before = os.sched_getaffinity(0)
    os.sched_setaffinity(0, {min(before)})
    try:
        walls, cpus, audio = [], [], []
        for clip in clips:
            w0, c0 = time.perf_counter(), time.process_time()
            stt.transcribe(clip)
            walls.append(time.perf_counter() - w0)
            cpus.append(time.process_time() - c0)
            audio.append(len(clip) / 2 / 16_000)
    finally:
        os.sched_setaffinity(0, before)
    return {
        "rtf_wall": sum(walls) / sum(audio),
        "rtf_cpu": sum(cpus) / sum(audio),
        "per_utterance_wall_p50": statistics.median(walls),
        "mean_audio_seconds": statistics.mean(audio),
    }


async def main() -> dict[str, Any]:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sentences", type=int, default=20)
    parser.add_argument("--max-pairs", type=int, default=6)
    parser.add_argument(
        "--scale-sentences", type=int, default=4, help="sentences per pair in the scale rounds"
    )
    parser.add_argument("--json", help="write the figures to this file")
    args = parser.parse_args()

    from realtimekit_mcp.emulator import EmulatorConfig
    from realtimekit_mcp.emulator.server import run_emulator
    from realtimekit_mcp.speech import get_stt, get_tts, get_vad
    from realtimekit_mcp.speech.metrics import normalise_words, word_error_rate

    t0 = time.perf_counter()
    engines = {"tts": get_tts("piper"), "stt": get_stt("faster-whisper"), "vad": get_vad("silero")}
    load = time.perf_counter() - t0
    sentences = SENTENCES[: args.sentences]
    figures: dict[str, Any] = {"engines_load_seconds": round(load, 2), "load_avg_before": os.getloadavg()}

    async with run_emulator(EmulatorConfig(account_id=ACCOUNT, app_id=APP, api_token=TOKEN), port=0) as emu:
        headers = {"Authorization": f"Bearer {TOKEN}"}
        async with httpx.AsyncClient(base_url=emu.origin, headers=headers, timeout=10.0) as http:
            results = await run_rooms(emu.origin, http, engines, 1, sentences)
            ref = " ".join(r["sentence"] for r in results)
            hyp = " ".join(r["heard"] for r in results)
            errors = sum(
                word_error_rate(r["sentence"], r["heard"]) * len(normalise_words(r["sentence"]))
                for r in results
            )
            lags = [r["lag"] for r in results if r["lag"] is not None]
            ttfa = [r["ttfa"] for r in results if r["ttfa"] is not None]
            figures.update(
                wer=round(errors / len(normalise_words(ref)), 4),
                wer_concatenated=round(word_error_rate(ref, hyp), 4),
                sentences=len(results),
                missed=sum(1 for r in results if r["lag"] is None),
                lag_p50=round(statistics.median(lags), 3),
                lag_p90=round(pct(lags, 0.9), 3),
                ttfa_p50=round(statistics.median(ttfa), 3),
                ttfa_max=round(max(ttfa), 3),
                mistakes=[
                    {"said": r["sentence"], "heard": r["heard"]}
                    for r in results
                    if word_error_rate(r["sentence"], r["heard"]) > 0
                ],
            )
            print(
                f"WER {figures['wer']:.1%} over {len(results)} sentences; lag p50 {figures['lag_p50']} s "
                f"p90 {figures['lag_p90']} s; TTS first audio p50 {figures['ttfa_p50']} s",
                file=sys.stderr,
            )

            scale = []
            baseline = figures["lag_p50"]  # one pair, 20 sentences: the steadier reference
            for pairs in range(1, args.max_pairs + 1):
                loop_cpu0, wall0 = time.process_time(), time.perf_counter()
                res = await run_rooms(emu.origin, http, engines, pairs, sentences[: args.scale_sentences])
                cpu = (time.process_time() - loop_cpu0) / (time.perf_counter() - wall0)
                lags_n = [r["lag"] for r in res if r["lag"] is not None]
                p50 = statistics.median(lags_n) if lags_n else float("inf")
                wer_n = statistics.mean(word_error_rate(r["sentence"], r["heard"]) for r in res)
                scale.append(
                    {
                        "pairs": pairs,
                        "lag_p50": round(p50, 3),
                        "wer": round(wer_n, 4),
                        "missed": sum(1 for r in res if r["lag"] is None),
                        "process_cpu_cores": round(cpu, 2),
                    }
                )
                print(
                    f"pairs={pairs}: lag p50 {p50:.2f} s, WER {wer_n:.1%}, CPU {cpu:.2f} cores",
                    file=sys.stderr,
                )
                if p50 > 2 * baseline:
                    break
            figures["scale"] = scale
            within = [s["pairs"] for s in scale if s["lag_p50"] <= 2 * baseline]
            figures["pairs_before_lag_doubles"] = max(within, default=0)

    figures["stt_one_core"] = {k: round(v, 3) for k, v in stt_one_core(engines, sentences).items()}
    print(json.dumps(figures, indent=2))
    return figures


def cli() -> int:
    """Run the bench; ``--json`` also writes the figures to a file."""
    figures = asyncio.run(main())
    if "--json" in sys.argv:
        with open(sys.argv[sys.argv.index("--json") + 1], "w") as fh:
            json.dump(figures, fh, indent=2)
    return 0


if __name__ == "__main__":
    raise SystemExit(cli())
