// At phone widths the main menu folds behind a "Menu" button; without this script it wraps.
(function () {
  var nav = document.querySelector(".site-header nav");
  var list = nav && nav.querySelector("ul");
  if (!list) { return; }
  var button = document.createElement("button");
  button.type = "button";
  button.className = "menu-toggle";
  button.textContent = "Menu";
  list.id = "main-menu";
  button.setAttribute("aria-controls", list.id);
  button.setAttribute("aria-expanded", "false");
  nav.insertBefore(button, list);
  nav.classList.add("collapsible");
  button.addEventListener("click", function () {
    var open = nav.classList.toggle("open");
    button.setAttribute("aria-expanded", open ? "true" : "false");
  });
})();
