#!/usr/bin/env bash
# Regenerates the bundled samples: synthetic speech from Debian's flite and festival voices that pocketsphinx's
# US English model recognises well (flite's default voice kal and 8 kHz audio come out as garbage), written as
# 24 kHz mono 16-bit WAV, each with its reference text in <name>.txt.
#   apt-get install flite festival festvox-us-slt-hts sox
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

make() { # name engine voice text
  local name=$1 engine=$2 voice=$3 text=$4
  if [ "$engine" = flite ]; then
    flite -voice "$voice" -t "$text" -o "$tmp/$name.wav"
  else
    echo "$text" | text2wave -eval "(voice_$voice)" -o "$tmp/$name.wav"
  fi
  sox "$tmp/$name.wav" -r 24000 -b 16 -c 1 -e signed-integer "$name.wav" rate -v norm -3
  printf '%s\n' "$text" > "$name.txt"
}

make 01-slt-weather   flite slt "The weather today will be sunny in the morning with some clouds later in the afternoon."
make 02-rms-meeting   flite rms "The meeting has been moved to next Tuesday at ten in the morning."
make 03-awb-order     flite awb "Your order has been sent and should arrive within three business days."
make 04-hts-library   festival cmu_us_slt_arctic_hts "The library will be closed on Monday for the holiday."
make 05-slt-train     flite slt "The next train to the city center leaves from platform four in five minutes."
make 06-rms-account   flite rms "Please check your account balance before you make another payment."
make 07-hts-dinner    festival cmu_us_slt_arctic_hts "We are going to have dinner with our friends on Saturday night."
make 08-rms-directions flite rms "Turn left at the second light. Then drive two more miles and the hotel will be on your right."
ls -l *.wav | awk '{s+=$5} END {print s " bytes of audio in", NR, "clips"}'
