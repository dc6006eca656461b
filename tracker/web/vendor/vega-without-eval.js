/* The cohort page's charts without eval: every Vega view of the page parses with the
   expressions' syntax trees and runs them with vega.expressionInterpreter (see README.md),
   so the portal's Content-Security-Policy needs no 'unsafe-eval'. */
(function (vega) {
  "use strict";
  var parse = vega.parse, View = vega.View;
  vega.parse = function (spec, config, options) {
    return parse(spec, config || null, Object.assign({}, options, { ast: true }));
  };
  vega.View = function (runtime, options) {
    return new View(runtime, Object.assign({ expr: vega.expressionInterpreter }, options));
  };
  vega.View.prototype = View.prototype;
})(window.vega);
