#!/bin/bash
# The screenshot of docs/serving.md: `galaxynet serve` with embeddings of a mock universe's
# training galaxies, and headless Chromium (selenium) looking at a barred spiral of its test set.
#   bench/page-screenshot.sh GALAXYNET RUN MOCK OUT.png
set -euo pipefail
galaxynet=$1 run=$2 mock=$(cd "$3" && pwd) out=$4
work=$(mktemp -d)
trap 'kill $server 2>/dev/null || true; rm -rf "$work"' EXIT
"$galaxynet" embed --run "$run" --images "$mock/images_training_rev1" --tta 1 --out "$work/e.npy" > /dev/null 2>&1
mkdir "$work/tables"
"$galaxynet" predict --run "$run" --images "$mock/images_test_rev1" --tta 1 --out "$work/tables/test.csv" > /dev/null 2>&1
"$galaxynet" serve --run "$run" --port 0 --tta 8 --embeddings "$work/e.npy" --thumbnails "$mock/images_training_rev1" \
  --catalogues "$work/tables" > "$work/serve.log" 2>&1 &
server=$!
until grep -q "http://" "$work/serve.log"; do sleep 0.2; done
port=$(grep -o '127.0.0.1:[0-9]*' "$work/serve.log" | head -1 | cut -d: -f2)
python3 - "$port" "$mock" "$out" <<'PY'
import csv, sys
from selenium import webdriver
from selenium.webdriver.common.by import By
from selenium.webdriver.support.ui import WebDriverWait
port, mock, out = sys.argv[1:4]
galaxy = next(r["GalaxyID"] for r in csv.DictReader(open(f"{mock}/truth.csv"))
              if r["set"] == "test" and r["bar"] == "1" and r["spiral"] == "1" and float(r["brightness"]) > 12)
options = webdriver.ChromeOptions()
options.binary_location = "/usr/bin/chromium"
for a in ["--headless=new", "--no-sandbox", "--disable-gpu", "--window-size=1280,2000"]: options.add_argument(a)
driver = webdriver.Chrome(service=webdriver.ChromeService(executable_path="/usr/bin/chromedriver"), options=options)
try:
    driver.get(f"http://127.0.0.1:{port}/")
    driver.find_element(By.ID, "file").send_keys(f"{mock}/images_test_rev1/{galaxy}.jpg")
    wait = WebDriverWait(driver, 120)
    wait.until(lambda d: len(d.find_elements(By.CSS_SELECTOR, "#neighbours img")) > 0)
    wait.until(lambda d: d.execute_script("return [...document.querySelectorAll('#neighbours img')].every(i => i.complete && i.naturalWidth > 0)"))
    driver.save_screenshot(out)
finally:
    driver.quit()
PY
echo "wrote $out"
