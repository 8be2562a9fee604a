// isf-claims review site: links claims in the text to their cards. No network, no globals.
"use strict";
(function () {
  var text = document.getElementById("text");
  if (!text) {
    return;
  }
  var selected = null;

  function parts(id) {
    return text.querySelectorAll('[data-claim="' + CSS.escape(id) + '"]');
  }
  function card(id) {
    return document.getElementById("claim-" + id);
  }
  function each(list, fn) {
    Array.prototype.forEach.call(list, fn);
  }

  // Highlight a claim's spans and handle in the text; optionally open its card.
  function select(id, openCard, focusCard) {
    if (selected !== null) {
      each(parts(selected), function (el) {
        el.classList.remove("is-selected");
      });
      var old = card(selected);
      if (old) {
        old.classList.remove("is-selected");
      }
    }
    selected = id;
    if (id === null) {
      return;
    }
    each(parts(id), function (el) {
      el.classList.add("is-selected");
    });
    var c = card(id);
    if (!c) {
      return;
    }
    c.classList.add("is-selected");
    if (openCard) {
      c.open = true;
      c.scrollIntoView({ block: "nearest" });
      if (focusCard) {
        c.querySelector("summary").focus();
      }
    }
  }

  function claimOf(target) {
    var el = target.closest ? target.closest("[data-claim]") : null;
    return el && text.contains(el) ? el : null;
  }

  text.addEventListener("click", function (event) {
    var el = claimOf(event.target);
    if (el) {
      select(el.getAttribute("data-claim"), true, el.tagName === "BUTTON");
    }
  });
  text.addEventListener("focusin", function (event) {
    var el = claimOf(event.target);
    if (el) {
      select(el.getAttribute("data-claim"), false, false);
    }
  });
  text.addEventListener("mouseover", function (event) {
    var el = claimOf(event.target);
    each(text.querySelectorAll(".is-hover"), function (h) {
      h.classList.remove("is-hover");
    });
    if (el) {
      each(parts(el.getAttribute("data-claim")), function (p) {
        p.classList.add("is-hover");
      });
    }
  });
  text.addEventListener("mouseleave", function () {
    each(text.querySelectorAll(".is-hover"), function (h) {
      h.classList.remove("is-hover");
    });
  });

  each(document.querySelectorAll(".claim-card"), function (c) {
    c.addEventListener("toggle", function () {
      var id = c.getAttribute("data-claim");
      // The handle in the text controls this card: keep its state in step.
      each(parts(id), function (el) {
        if (el.hasAttribute("aria-expanded")) {
          el.setAttribute("aria-expanded", c.open ? "true" : "false");
        }
      });
      if (c.open) {
        select(id, false, false);
      } else if (selected === id) {
        select(null, false, false);
      }
    });
  });
  each(document.querySelectorAll("button.show-in-text"), function (b) {
    b.addEventListener("click", function () {
      var id = b.getAttribute("data-claim");
      var handle = text.querySelector('button[data-claim="' + CSS.escape(id) + '"]');
      select(id, false, false);
      if (handle) {
        handle.scrollIntoView({ block: "center" });
        handle.focus();
      }
    });
  });

  // Layer toggles: shown only when this script runs, since they need it.
  var toggles = document.querySelector(".toggles");
  if (toggles) {
    toggles.hidden = false;
    each(toggles.querySelectorAll("input[data-layer]"), function (box) {
      box.addEventListener("change", function () {
        document.body.classList.toggle("hide-" + box.getAttribute("data-layer"), !box.checked);
      });
    });
  }
})();
