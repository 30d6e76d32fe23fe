/* Suyuan workbench: small enhancements; every page works without this file.
 *
 * - the inspection form keeps its data in localStorage and, if the network
 *   is down, queues the record and sends it once it can (the idempotency key
 *   made in the page lets the server recognise a resend);
 * - a camera QR reader with the browser's BarcodeDetector, where present;
 *   a scanned or typed serial fills in its batch;
 * - the label-sheet picture sets the start position; print progress polls.
 */
(function () {
  "use strict";

  function uuid() {
    if (window.crypto && crypto.randomUUID) { return crypto.randomUUID(); }
    var bytes = new Uint8Array(16);
    crypto.getRandomValues(bytes);
    bytes[6] = (bytes[6] & 0x0f) | 0x40;
    bytes[8] = (bytes[8] & 0x3f) | 0x80;
    var hex = Array.prototype.map.call(bytes, function (b) { return ("0" + b.toString(16)).slice(-2); }).join("");
    return hex.slice(0, 8) + "-" + hex.slice(8, 12) + "-" + hex.slice(12, 16) + "-" + hex.slice(16, 20) + "-" + hex.slice(20);
  }

  function read(key, fallback) {
    try { return JSON.parse(localStorage.getItem(key)) || fallback; } catch (e) { return fallback; }
  }

  function write(key, value) {
    try { localStorage.setItem(key, JSON.stringify(value)); return true; } catch (e) { return false; }
  }

  /* "Use the suggestion" buttons (lot codes). */
  document.querySelectorAll("[data-fill]").forEach(function (button) {
    button.hidden = false;
    button.addEventListener("click", function () {
      var target = document.querySelector(button.getAttribute("data-fill"));
      if (target) { target.value = button.getAttribute("data-value"); target.focus(); }
    });
  });

  /* The print form: warn about a missing GTIN for the batch chosen only. */
  var noGtin = document.querySelector("[data-no-gtin]");
  if (noGtin) {
    var products = JSON.parse(noGtin.getAttribute("data-no-gtin"));
    var batchField = document.querySelector(noGtin.getAttribute("data-batch-field"));
    var showNoGtin = function () {
      var name = batchField ? products[batchField.value] : undefined;
      noGtin.hidden = !name;
      noGtin.querySelector("[data-no-gtin-name]").textContent = name || "";
    };
    if (batchField) { batchField.addEventListener("change", showNoGtin); showNoGtin(); }
  }

  /* The offline-safe inspection form. */
  var form = document.querySelector("form[data-offline-form]");
  if (form) { offlineForm(form); }

  function offlineForm(form) {
    var name = form.getAttribute("data-offline-form");
    var draftKey = "suyuan:draft:" + name;
    var queueKey = "suyuan:queue:" + name;
    var statusBox = form.querySelector("#save-status");
    var keyField = form.querySelector("[name=idempotency_key]");
    var sending = false;

    function say(text, kind, link) {
      statusBox.hidden = false;
      statusBox.className = "save-status " + (kind || "");
      statusBox.textContent = text;
      if (link) {
        var a = document.createElement("a");
        a.href = link; a.textContent = " 查看结果";
        statusBox.appendChild(a);
      }
      statusBox.scrollIntoView({ block: "center" });
    }

    function textEntries() {
      var entries = [];
      new FormData(form).forEach(function (value, key) {
        if (typeof value === "string") { entries.push([key, value]); }
      });
      return entries;
    }

    function restore(entries) {
      var seen = {};
      entries.forEach(function (pair) {
        if (pair[0] === "csrfmiddlewaretoken") { return; }
        var fields = form.querySelectorAll('[name="' + pair[0] + '"]');
        fields.forEach(function (field) {
          if (field.type === "checkbox" || field.type === "radio") {
            field.checked = field.value === pair[1] || (field.type === "checkbox" && pair[1] === "on");
          } else if (field.type !== "file" && !seen[pair[0]]) {
            field.value = pair[1];
          }
        });
        seen[pair[0]] = true;
      });
    }

    // Restore a draft on a fresh page (a page with errors shows the server's copy).
    var draft = read(draftKey, null);
    if (draft && !form.querySelector(".errorlist")) { restore(draft); }
    if (keyField && !keyField.value) { keyField.value = uuid(); }
    form.addEventListener("input", function () { write(draftKey, textEntries()); });
    form.addEventListener("change", function () { write(draftKey, textEntries()); });

    function filesOf() {
      var inputs = form.querySelectorAll("input[type=file]");
      var jobs = [];
      inputs.forEach(function (input) {
        Array.prototype.forEach.call(input.files || [], function (file) {
          jobs.push(new Promise(function (resolve) {
            var reader = new FileReader();
            reader.onload = function () { resolve({ name: input.name, filename: file.name, data: reader.result }); };
            reader.onerror = function () { resolve(null); };
            reader.readAsDataURL(file);
          }));
        });
      });
      return Promise.all(jobs).then(function (files) { return files.filter(Boolean); });
    }

    function body(record) {
      var data = new FormData();
      record.entries.forEach(function (pair) { data.append(pair[0], pair[1]); });
      record.files.forEach(function (file) {
        var parts = file.data.split(",");
        var type = (parts[0].match(/:(.*?);/) || [])[1] || "application/octet-stream";
        var binary = atob(parts[1]);
        var bytes = new Uint8Array(binary.length);
        for (var i = 0; i < binary.length; i++) { bytes[i] = binary.charCodeAt(i); }
        data.append(file.name, new Blob([bytes], { type: type }), file.filename);
      });
      return data;
    }

    function queue() { return read(queueKey, []); }

    function dequeue(key) {
      write(queueKey, queue().filter(function (record) { return record.key !== key; }));
    }

    function enqueue(record) {
      var records = queue().filter(function (item) { return item.key !== record.key; });
      records.push(record);
      if (!write(queueKey, records)) {
        record.files = [];  // over the quota: keep the record, drop the photos
        records[records.length - 1] = record;
        write(queueKey, records);
        return false;
      }
      return true;
    }

    function showErrors(errors) {
      form.querySelectorAll(".errorlist.js").forEach(function (list) { list.remove(); });
      Object.keys(errors).forEach(function (field) {
        var messages = errors[field];
        if (!messages.length) { return; }
        var list = document.createElement("ul");
        list.className = "errorlist js";
        messages.forEach(function (message) {
          var item = document.createElement("li");
          item.textContent = message.message;
          list.appendChild(item);
        });
        var input = field === "__all__" ? null : form.querySelector('[name="' + field + '"]');
        var anchor = input ? input.closest(".field") || input : form.querySelector("fieldset legend");
        if (field === "__all__" || !anchor) { form.insertBefore(list, form.firstChild.nextSibling); }
        else { anchor.appendChild(list); }
      });
    }

    function send(record, live) {
      return fetch(form.action || window.location.href, {
        method: "POST",
        body: body(record),
        headers: { "X-Workbench-Fetch": "1" },
        credentials: "same-origin"
      }).then(function (response) {
        if (response.status === 200 || response.status === 201 || response.status === 400) {
          return response.json().then(function (answer) {
            dequeue(record.key);
            if (answer.saved) {
              localStorage.removeItem(draftKey);
              if (live) { window.location.href = answer.url; return; }
              say("已保存 ✓ 检测结论：" + answer.verdict + "；批次状态：" + answer.batch_status + "。", "ok", answer.url);
            } else {
              restore(record.entries);
              showErrors(answer.errors);
              say("未保存：请修改标红的项目后重新提交。", "pending");
            }
          });
        }
        throw new Error("server " + response.status);
      });
    }

    function flush() {
      if (sending) { return; }
      var records = queue();
      if (!records.length) { return; }
      sending = true;
      say("正在发送本机保存的 " + records.length + " 条记录…", "pending");
      records.reduce(function (chain, record) {
        return chain.then(function () { return send(record, false); });
      }, Promise.resolve()).catch(function () {
        say("网络仍不通：" + queue().length + " 条记录保存在本机，联网后自动发送，不会重复。", "pending");
      }).then(function () { sending = false; });
    }

    form.addEventListener("submit", function (event) {
      event.preventDefault();
      var button = form.querySelector("button[type=submit]");
      button.disabled = true;
      filesOf().then(function (files) {
        var record = { key: keyField.value, entries: textEntries(), files: files };
        say("正在保存…", "pending");
        return send(record, true).catch(function () {
          var kept = enqueue(record);
          localStorage.removeItem(draftKey);
          form.reset();
          keyField.value = uuid();  // the next record gets its own key
          say("网络不通：记录已保存在本机" + (kept ? "" : "（照片太大，未能保存）") + "，联网后自动发送，不会重复。", "pending");
        });
      }).then(function () { button.disabled = false; });
    });

    window.addEventListener("online", flush);
    setInterval(flush, 4000);
    if (queue().length) { flush(); }
  }

  /* Camera QR reader: BarcodeDetector where the browser has it, else type. */
  var scanner = document.querySelector("[data-scanner]");
  if (scanner && "BarcodeDetector" in window && navigator.mediaDevices) {
    var start = scanner.querySelector("[data-scan-start]");
    var video = scanner.querySelector("[data-scan-video]");
    var serialField = scanner.querySelector("[name=serial]");
    start.hidden = false;
    start.addEventListener("click", function () {
      var detector = new window.BarcodeDetector({ formats: ["qr_code"] });
      navigator.mediaDevices.getUserMedia({ video: { facingMode: "environment" } }).then(function (stream) {
        video.srcObject = stream; video.hidden = false; video.play();
        var timer = setInterval(function () {
          detector.detect(video).then(function (codes) {
            if (!codes.length) { return; }
            var text = codes[0].rawValue;
            var match = text.match(/\/(?:t|21)\/([^/?#]+)/);
            serialField.value = decodeURIComponent(match ? match[1] : text);
            serialField.dispatchEvent(new Event("change", { bubbles: true }));
            clearInterval(timer);
            stream.getTracks().forEach(function (track) { track.stop(); });
            video.hidden = true;
          }).catch(function () {});
        }, 300);
      }).catch(function () { start.textContent = "无法打开相机，请手工输入序列号"; });
    });
  }

  /* Inspection form: a typed or scanned serial fills in its batch (the
     server does the same on submit, so the page works without this). */
  var serialInput = document.querySelector("[data-serial-lookup]");
  var batchSelect = document.querySelector("select[name=batch]");
  var serialNote = document.getElementById("serial-note");
  if (serialInput && batchSelect && serialNote) {
    serialInput.addEventListener("change", function () {
      var value = serialInput.value.trim();
      if (!value) { serialNote.hidden = true; return; }
      var url = serialInput.getAttribute("data-serial-lookup") + "?serial=" + encodeURIComponent(value);
      fetch(url, { credentials: "same-origin" }).then(function (response) {
        return response.json().then(function (answer) {
          if (response.ok) {
            batchSelect.value = String(answer.batch);
            batchSelect.dispatchEvent(new Event("change", { bubbles: true }));
            serialNote.textContent = "已找到批次：" + answer.label;
          } else {
            serialNote.textContent = answer.error;
          }
          serialNote.hidden = false;
        });
      }).catch(function () {});
    });
  }

  /* Label sheet: show the picture of the chosen template. */
  var templateSelect = document.querySelector("select[name=template]");
  if (templateSelect) {
    templateSelect.addEventListener("change", function () {
      document.querySelectorAll("[data-template-sheet]").forEach(function (sheet) {
        sheet.hidden = sheet.getAttribute("data-template-sheet") !== templateSelect.value;
      });
    });
  }

  /* Label sheet: click the first free label to set the start position. */
  document.querySelectorAll("[data-sheet]").forEach(function (sheet) {
    var field = document.querySelector(sheet.getAttribute("data-sheet"));
    function paint() {
      var first = parseInt(field.value, 10) || 1;
      sheet.querySelectorAll(".slot").forEach(function (slot) {
        var position = parseInt(slot.getAttribute("data-position"), 10);
        slot.classList.toggle("used", position < first);
        slot.classList.toggle("first", position === first);
      });
    }
    sheet.addEventListener("click", function (event) {
      var slot = event.target.closest(".slot");
      if (!slot) { return; }
      field.value = slot.getAttribute("data-position");
      paint();
    });
    field.addEventListener("input", paint);
    paint();
  });

  /* Print job progress. */
  document.querySelectorAll("[data-progress-url]").forEach(function (box) {
    var url = box.getAttribute("data-progress-url");
    function poll() {
      fetch(url, { credentials: "same-origin" }).then(function (r) { return r.json(); }).then(function (job) {
        var bar = box.querySelector(".progress span");
        if (bar) { bar.style.width = job.percent + "%"; }
        var text = box.querySelector("[data-progress-text]");
        if (text) { text.textContent = job.status_display + " " + job.percent + "%"; }
        if (job.pdf_url) {
          var link = box.querySelector("[data-progress-pdf]");
          if (link) { link.href = job.pdf_url; link.hidden = false; }
        }
        if (!job.finished) { setTimeout(poll, 1500); }
      }).catch(function () { setTimeout(poll, 5000); });
    }
    poll();
  });
})();
