// Print buttons: the one script of the pages (kept out of the HTML so the pages need no inline script).
document.querySelectorAll("button[data-print]").forEach(function (button) {
  button.addEventListener("click", function () { window.print(); });
});
