#!/usr/bin/python3
"""Fire N calls with N distinct unknown tokens at URL, CONC at a time (a burst of cache misses).
    burst.py URL N CONC"""
import secrets
import sys
import threading

import requests

url, n, conc = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
left = [n]
lock = threading.Lock()
codes = {}


def worker():
    s = requests.Session()
    while True:
        with lock:
            if left[0] == 0:
                return
            left[0] -= 1
        r = s.get(url, headers={"Authorization": "Bearer " + secrets.token_urlsafe(32)}, timeout=60)
        with lock:
            codes[r.status_code] = codes.get(r.status_code, 0) + 1


ts = [threading.Thread(target=worker) for _ in range(conc)]
for t in ts:
    t.start()
for t in ts:
    t.join()
print("burst statuses:", codes)
