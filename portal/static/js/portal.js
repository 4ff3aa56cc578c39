// Progressive enhancement only: every page works without this file.
(function () {
  "use strict";
  document.addEventListener("DOMContentLoaded", function () {
    // The page's one error summary (first in <main>) takes focus, so keyboard and screen-reader
    // users hear what went wrong; each of its links moves focus to its field, and shows the
    // field's question (label or legend) rather than scrolling it just out of sight.
    var summary = document.querySelector(".error-summary");
    if (summary) {
      summary.focus();
      summary.addEventListener("click", function (event) {
        var link = event.target.closest("a[href^='#']");
        var target = link && document.getElementById(link.getAttribute("href").slice(1));
        if (!target) { return; }
        event.preventDefault();
        var group = target.closest("fieldset");
        var label = (group && group.querySelector("legend")) ||
          document.querySelector("label[for='" + target.id + "']") || target;
        label.scrollIntoView();
        target.focus({ preventScroll: true });
      });
    }
    // A message already on the page at load is not reliably read out: put it back into its
    // live region a moment later, so it is announced (it stays where it is on the screen).
    var flashes = document.querySelector("[data-flashes]");
    if (flashes && flashes.children.length) {
      var messages = Array.prototype.slice.call(flashes.children);
      flashes.textContent = "";
      window.setTimeout(function () {
        messages.forEach(function (message) { flashes.appendChild(message); });
      }, 150);
    }
  });
})();

// Drag and drop on the goal board. Progressive enhancement only: each card's "Move" form
// works without JavaScript and with the keyboard; this just lets a mouse or finger drag.
(function () {
  "use strict";
  var board = document.querySelector("[data-board]");
  if (!board || !window.fetch || !window.FormData) { return; }
  var status = document.querySelector("[data-board-status]");
  var dragged = null;

  board.querySelectorAll(".goal-card").forEach(function (card) {
    if (!card.querySelector(".move-form")) { return; }
    card.setAttribute("draggable", "true");
    card.addEventListener("dragstart", function (event) {
      dragged = card;
      event.dataTransfer.effectAllowed = "move";
      event.dataTransfer.setData("text/plain", card.getAttribute("data-goal"));
      card.classList.add("dragging");
    });
    card.addEventListener("dragend", function () {
      card.classList.remove("dragging");
      dragged = null;
    });
  });

  board.querySelectorAll("[data-column]").forEach(function (column) {
    column.addEventListener("dragover", function (event) {
      if (dragged) { event.preventDefault(); column.classList.add("drop-target"); }
    });
    column.addEventListener("dragleave", function () { column.classList.remove("drop-target"); });
    column.addEventListener("drop", function (event) {
      event.preventDefault();
      column.classList.remove("drop-target");
      if (!dragged) { return; }
      var card = dragged;
      var form = card.querySelector(".move-form");
      form.querySelector("select[name=column]").value = column.getAttribute("data-column");
      fetch(form.action, {
        method: "POST",
        body: new FormData(form),
        headers: { "Accept": "application/json" },
        credentials: "same-origin"
      }).then(function (response) {
        return response.json().then(function (body) { return { ok: response.ok, body: body }; });
      }).then(function (result) {
        if (!result.ok) { form.submit(); return; }  // the server page explains the conflict
        form.querySelector("input[name=version]").value = result.body.version;
        var list = column.querySelector(".goal-list");
        var empty = list.querySelector(".empty");
        if (empty) { empty.remove(); }
        list.appendChild(card);
        if (status) {
          status.textContent = "Moved to " + column.querySelector("h2").firstChild.textContent.trim() + ".";
        }
      }).catch(function () { form.submit(); });
    });
  });
})();

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
