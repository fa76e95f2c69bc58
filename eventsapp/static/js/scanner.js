// The camera scanner of the door and booth pages: reads QR codes from the back camera with the
// browser's BarcodeDetector where there is one, otherwise with the vendored jsQR.
// Usage: BadgeScanner.attach(sectionElement, function (code) { ... }).
(function () {
  const REPEAT_MS = 3000; // the same code held in front of the camera is read once
  const FRAME_MS = 150;

  function cameraPossible() {
    return window.isSecureContext && !!(navigator.mediaDevices && navigator.mediaDevices.getUserMedia);
  }

  function attach(section, onCode) {
    const startButton = section.querySelector("[data-camera-start]");
    const stopButton = section.querySelector("[data-camera-stop]");
    const box = section.querySelector("[data-camera-box]");
    const video = section.querySelector("video");
    const canvas = document.createElement("canvas");
    const context = canvas.getContext("2d", { willReadFrequently: true });
    let stream = null;
    let timer = null;
    let detector = null;
    let last = { code: "", at: 0 };

    if (!cameraPossible()) {
      section.querySelector("[data-camera-unavailable]").hidden = false;
      section.querySelector("[data-camera-message]").hidden = true;
      startButton.disabled = true;
      return;
    }
    if ("BarcodeDetector" in window) {
      try { detector = new window.BarcodeDetector({ formats: ["qr_code"] }); } catch (error) { detector = null; }
    }

    function found(code) {
      const now = Date.now();
      if (!code || (code === last.code && now - last.at < REPEAT_MS)) return;
      last = { code: code, at: now };
      onCode(code);
    }

    async function readFrame() {
      if (!stream || video.readyState < 2) return;
      if (detector) {
        try {
          const codes = await detector.detect(video);
          if (codes.length) found(codes[0].rawValue);
          return;
        } catch (error) {
          detector = null; // fall back to jsQR
        }
      }
      const width = video.videoWidth, height = video.videoHeight;
      if (!width || !height || !window.jsQR) return;
      const scale = Math.min(1, 640 / width);
      canvas.width = Math.round(width * scale);
      canvas.height = Math.round(height * scale);
      context.drawImage(video, 0, 0, canvas.width, canvas.height);
      const image = context.getImageData(0, 0, canvas.width, canvas.height);
      const result = window.jsQR(image.data, image.width, image.height, { inversionAttempts: "dontInvert" });
      if (result) found(result.data);
    }

    async function start() {
      try {
        stream = await navigator.mediaDevices.getUserMedia({ video: { facingMode: "environment" }, audio: false });
      } catch (error) {
        section.querySelector("[data-camera-denied]").hidden = false;
        return;
      }
      video.srcObject = stream;
      await video.play().catch(function () {});
      box.hidden = false;
      startButton.hidden = true;
      stopButton.hidden = false;
      timer = setInterval(readFrame, FRAME_MS);
    }

    function stop() {
      clearInterval(timer);
      if (stream) stream.getTracks().forEach(function (track) { track.stop(); });
      stream = null;
      box.hidden = true;
      startButton.hidden = false;
      stopButton.hidden = true;
    }

    startButton.addEventListener("click", start);
    stopButton.addEventListener("click", stop);
    window.addEventListener("pagehide", stop);
  }

  window.BadgeScanner = { attach: attach };
})();
