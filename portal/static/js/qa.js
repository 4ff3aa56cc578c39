// Shows similar published questions while someone types theirs. Without this script the
// "Check my question" step shows them too.
(function () {
  "use strict";
  var form = document.querySelector("form[data-similar]");
  if (!form || !window.fetch) { return; }
  var input = form.querySelector("input[name=title]");
  var target = form.querySelector("[data-similar-results]");
  var timer = null;
  input.addEventListener("input", function () {
    window.clearTimeout(timer);
    timer = window.setTimeout(function () {
      if (input.value.trim().length < 4) { target.innerHTML = ""; return; }
      var url = form.getAttribute("data-similar") + "?q=" + encodeURIComponent(input.value);
      fetch(url, { credentials: "same-origin" })
        .then(function (response) { return response.ok ? response.text() : ""; })
        .then(function (html) { target.innerHTML = html; })
        .catch(function () { target.innerHTML = ""; });
    }, 400);
  });
})();
