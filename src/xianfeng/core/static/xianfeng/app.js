/* 先锋 Xianfeng — the page script (the Content-Security-Policy allows no inline script):
   Django's CSRF token on every htmx request, confirm dialogs from data-confirm="…",
   progress bars sized from data-progress="0-100". */
(function () {
  "use strict";

  function readCookie(name) {
    var parts = document.cookie ? document.cookie.split(";") : [];
    for (var i = 0; i < parts.length; i++) {
      var part = parts[i].trim();
      if (part.substring(0, name.length + 1) === name + "=") {
        return decodeURIComponent(part.substring(name.length + 1));
      }
    }
    return "";
  }

  function csrfToken() {
    var token = readCookie("csrftoken");
    if (!token) {
      var meta = document.querySelector('meta[name="csrf-token"]');
      token = meta ? meta.getAttribute("content") : "";
    }
    return token;
  }

  document.addEventListener("htmx:configRequest", function (event) {
    var token = csrfToken();
    if (token) {
      event.detail.headers["X-CSRFToken"] = token;
    }
  });

  // data-confirm on a form asks before it is submitted; on a button or link, before the
  // click. Runs in the capture phase, so a refusal also stops htmx.
  function refuse(event) {
    event.preventDefault();
    event.stopPropagation();
  }

  document.addEventListener(
    "submit",
    function (event) {
      var form = event.target;
      var message = form.getAttribute && form.getAttribute("data-confirm");
      if (message && !window.confirm(message)) {
        refuse(event);
      }
    },
    true
  );

  document.addEventListener(
    "click",
    function (event) {
      var element = event.target.closest ? event.target.closest("[data-confirm]") : null;
      if (!element || element.tagName === "FORM") {
        return;
      }
      if (!window.confirm(element.getAttribute("data-confirm"))) {
        refuse(event);
      }
    },
    true
  );

  function sizeProgressBars(root) {
    var bars = root.querySelectorAll ? root.querySelectorAll("[data-progress]") : [];
    for (var i = 0; i < bars.length; i++) {
      bars[i].style.width = (parseInt(bars[i].getAttribute("data-progress"), 10) || 0) + "%";
    }
  }

  if (window.htmx) {
    window.htmx.onLoad(function (element) {
      sizeProgressBars(element.parentNode || element);
    });
  } else {
    document.addEventListener("DOMContentLoaded", function () {
      sizeProgressBars(document);
    });
  }
})();
