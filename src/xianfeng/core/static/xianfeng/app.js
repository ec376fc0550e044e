/* 先锋 Xianfeng — send Django's CSRF token with every htmx request. */
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
})();
